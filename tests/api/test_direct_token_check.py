"""The token check as deployed (an app whose session is not a test's outer transaction): on
Postgres it runs on the process's direct connections (src/direct_reads.py), so a read
answered from cache takes nothing from the pool; it still refuses a revoked session at once,
sees another instance's write, and survives its connection being cut."""

from __future__ import annotations

import base64
import json
import uuid

import jwt
import pytest
from flask import Flask
from sqlalchemy import text

from src.extensions import db
from tests.conftest import PASSWORD, bearer, new_admin_headers
from tests.support.revocation import assert_logout_refuses_the_next_cached_read
from tests.support.statements import app_engine_events


@pytest.fixture
def deployed_app(isolated_app: Flask, backend: str) -> Flask:
    """The isolated app on Postgres (SQLite's token check runs in the session)."""
    if backend != "postgres":
        pytest.skip("the token check's direct connections are Postgres's")
    return isolated_app


def _headers(app: Flask) -> dict[str, str]:
    account = {"username": f"direct-{uuid.uuid4().hex[:10]}", "password": PASSWORD}
    response = app.test_client().post("/register/", json=account)
    assert response.status_code == 201, response.json
    return bearer(response.json["access_token"])


def _pool_checkouts(app: Flask):
    return app_engine_events(app, "checkout", 0)


def _cut_every_connection(app: Flask) -> None:
    """What an idle restart of Postgres does to the service's connections."""
    with app.app_context():
        with db.engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )


def test_a_read_answered_from_cache_takes_no_pooled_connection(deployed_app):
    client, headers = deployed_app.test_client(), _headers(deployed_app)
    for path in ("/me/", "/catalog/movies/", "/catalog/genres/", "/collection/"):
        assert client.get(path, headers=headers).status_code == 200, path  # now cached
        with _pool_checkouts(deployed_app) as checkouts:
            assert client.get(path, headers=headers).status_code == 200, path
        assert checkouts == [], path


def test_a_view_that_reads_after_the_token_check_still_uses_the_session(deployed_app):
    client, headers = deployed_app.test_client(), _headers(deployed_app)
    query = f"/catalog/movies/?title=never-asked-{uuid.uuid4().hex}"  # not in the read cache
    with _pool_checkouts(deployed_app) as checkouts:
        assert client.get(query, headers=headers).status_code == 200
    assert len(checkouts) == 1


def test_the_request_count_is_read_on_a_direct_connection_and_sees_every_increment(
    deployed_app,
):
    client, headers = deployed_app.test_client(), _headers(deployed_app)
    with deployed_app.app_context():
        db.session.execute(text("UPDATE request_counter SET count = 0"))
        db.session.execute(text("UPDATE request_counter SET count = 5 WHERE slot = 0"))
        db.session.execute(text("UPDATE request_counter SET count = 7 WHERE slot = 1"))
        db.session.commit()
    with _pool_checkouts(deployed_app) as checkouts:
        first = client.get("/request-count/", headers=headers)
    assert checkouts == []
    assert first.status_code == 200
    assert first.json == {"requests": 12}
    with deployed_app.app_context():
        db.session.execute(text("UPDATE request_counter SET count = count + 3 WHERE slot = 2"))
        db.session.commit()
    assert client.get("/request-count/", headers=headers).json == {"requests": 15}


def test_a_logout_refuses_the_token_at_the_next_request(isolated_app):
    client, headers = isolated_app.test_client(), _headers(isolated_app)
    assert_logout_refuses_the_next_cached_read(client, headers)


def test_a_write_is_seen_by_the_next_cached_read(isolated_app, admin_of_isolated_app):
    client, headers = isolated_app.test_client(), _headers(isolated_app)
    before = client.get("/catalog/genres/", headers=headers)
    genre = f"Genre {uuid.uuid4().hex[:8]}"
    movie = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995}
    created = client.post(
        "/catalog/movies/",
        json={**movie, "rating": 5, "genres": [genre]},
        headers=admin_of_isolated_app,
    )
    assert created.status_code == 201, created.json
    after = client.get("/catalog/genres/", headers=headers)
    assert genre not in str(before.json) and genre in str(after.json)


def test_every_request_is_answered_after_the_connections_were_cut(deployed_app):
    client, headers = deployed_app.test_client(), _headers(deployed_app)
    assert client.get("/me/", headers=headers).status_code == 200
    _cut_every_connection(deployed_app)
    assert [client.get("/me/", headers=headers).status_code for _ in range(3)] == [200] * 3
    _cut_every_connection(deployed_app)
    assert client.get("/catalog/movies/", headers=headers).status_code == 200


@pytest.mark.parametrize("subject", [str(2**31), "-1", "0", "9" * 30])
def test_a_subject_no_user_id_can_have_is_refused(isolated_app, subject):
    token = _headers(isolated_app)["Authorization"].removeprefix("Bearer ")
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    key = isolated_app.config["JWT_SECRET_KEY"]
    forged = jwt.encode({**claims, "sub": subject}, key, algorithm="HS256")
    refused = isolated_app.test_client().get("/me/", headers=bearer(forged))
    assert refused.status_code == 401
    assert refused.json["detail"] == "The token's user no longer exists."


@pytest.fixture
def admin_of_isolated_app(isolated_app: Flask) -> dict[str, str]:
    return new_admin_headers(isolated_app)
