"""Patterns match whole values: `$` alone lets a trailing newline through, and a username
may not differ from another only by whitespace, control or lookalike characters."""

import pytest
from sqlalchemy import func, select

from src.accounts.models import User
from src.extensions import db
from tests.conftest import PASSWORD

LOOKALIKES = [
    "admin\n",
    " admin",
    "admin ",
    "admin\t",
    "admin\r",
    "ad\u200bmin",  # zero-width space
    "ad\u00admin",  # soft hyphen
    "\uff41\uff44\uff4d\uff49\uff4e",  # full-width "admin"
    "adm\u0131n",  # dotless i
    "admin\x00",
]


@pytest.mark.parametrize("username", LOOKALIKES)
def test_a_lookalike_username_is_422_and_not_stored(app, client, register, username):
    register("admin")
    response = client.post("/register/", json={"username": username, "password": PASSWORD})
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User))
    assert count == 1


def test_a_lookalike_username_cannot_log_in_as_the_account(client, register):
    register("admin")
    response = client.post("/login/", json={"username": "admin\n", "password": PASSWORD})
    assert response.status_code == 422


@pytest.mark.parametrize("sort", ["title\n", "-release_year,title\n"])
def test_a_sort_with_a_trailing_newline_is_422(client, user_headers, sort):
    response = client.get("/catalog/movies/", query_string={"sort": sort}, headers=user_headers)
    assert response.status_code == 422, response.json
    assert "sort" in response.json["errors"]


@pytest.mark.parametrize("incoming", ["trace-1\n", "trace-1\r\n", "trace\n-1"])
def test_a_request_id_with_a_newline_is_replaced(client, incoming):
    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": incoming})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] != incoming.strip()
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_safe_request_id_comes_back(client):
    response = client.get("/healthz", headers={"X-Request-ID": "trace-1"})
    assert response.headers["X-Request-ID"] == "trace-1"
