"""A body of undeclared length (Transfer-Encoding: chunked) is held to the same 1 MiB as a
declared one: 413 problem+json, not a 400 for JSON that werkzeug cut at the limit."""

import io
import json

from sqlalchemy import select

from src.accounts.models import User
from src.extensions import db
from tests.conftest import PASSWORD

LIMIT = 1024 * 1024


def credentials_padded_to(size, username):
    """Valid register JSON of exactly size bytes (whitespace before the closing brace)."""
    head = json.dumps({"username": username, "password": PASSWORD})[:-1].encode()
    return head + b" " * (size - len(head) - 1) + b"}"


def post_streamed(client, body):
    """POST /register/ as a server that terminates chunked input (gunicorn) presents it:
    no Content-Length, wsgi.input_terminated set."""
    return client.post(
        "/register/",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def _stored(app, username):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == username))


def test_a_streamed_body_over_the_limit_is_413_and_not_stored(app, client):
    response = post_streamed(client, credentials_padded_to(LIMIT + 1, "streamed_big"))
    assert response.status_code == 413, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == 413
    assert _stored(app, "streamed_big") is None


def test_a_streamed_body_of_exactly_the_limit_is_accepted(app, client):
    response = post_streamed(client, credentials_padded_to(LIMIT, "streamed_edge"))
    assert response.status_code == 201, response.json
    assert _stored(app, "streamed_edge") is not None
