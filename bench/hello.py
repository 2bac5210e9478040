"""A bare Flask hello-world, the ceiling `make bench` divides every figure by, served with
the same gunicorn settings as the service: gunicorn -c gunicorn.conf.py bench.hello:app"""

from flask import Flask

app = Flask(__name__)


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/hello/")
def hello() -> dict[str, str]:
    return {"hello": "world"}
