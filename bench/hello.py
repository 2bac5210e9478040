"""A bare Flask hello-world, the baseline the price benchmark is measured against:
gunicorn -c gunicorn.conf.py bench.hello:app"""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/hello/")
def hello() -> dict[str, str]:
    return {"hello": "world"}
