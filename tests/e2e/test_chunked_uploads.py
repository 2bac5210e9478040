"""Chunked uploads to a real gunicorn: over 1 MiB is 413 problem+json, as with Content-Length."""

import json

import pytest
import requests

from tests.support.processes import instance_env, migrate, running_gunicorn

LIMIT = 1024 * 1024
CHUNK = 64 * 1024
PASSWORD = "chunked-test-password"
TIMEOUT_S = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("chunked")
    env = {
        **instance_env(instance),
        "REQUEST_COUNTER_ENABLED": "false",
    }
    migrate(env)
    with running_gunicorn(env, workers=1, threads=2) as gunicorn:
        yield gunicorn


def chunks_of_credentials(size, username):
    """Valid register JSON of exactly size bytes, sent as 64 KiB chunks (requests sends a
    generator body with Transfer-Encoding: chunked and no Content-Length)."""
    head = json.dumps({"username": username, "password": PASSWORD})[:-1].encode()
    body = head + b" " * (size - len(head) - 1) + b"}"
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def register_streamed(session, server, size, username):
    return session.post(
        f"{server.url}/register/",
        data=chunks_of_credentials(size, username),
        headers={"Content-Type": "application/json"},
        timeout=TIMEOUT_S,
    )


def can_log_in(server, username):
    response = requests.post(
        f"{server.url}/login/",
        json={"username": username, "password": PASSWORD},
        timeout=TIMEOUT_S,
    )
    return response.status_code == 200


@pytest.mark.parametrize("size", [LIMIT + 1, 8 * LIMIT])
def test_a_chunked_body_over_one_mebibyte_is_413_problem(server, size):
    username = f"chunked_{size}"
    with requests.Session() as session:
        response = register_streamed(session, server, size, username)
        assert response.request.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in response.request.headers
        assert response.status_code == 413, response.text
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 413
        # The connection is still usable for the next request.
        assert session.get(f"{server.url}/healthz", timeout=TIMEOUT_S).status_code == 200
    assert not can_log_in(server, username)


def test_a_chunked_body_of_exactly_one_mebibyte_is_served(server):
    with requests.Session() as session:
        response = register_streamed(session, server, LIMIT, "chunked_edge")
    assert response.status_code == 201, response.text
    assert can_log_in(server, "chunked_edge")
