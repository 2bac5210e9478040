"""Cached reads take their revision from the token check's own statement: a cached answer is
one statement, a revoked session is still refused, and another instance's write is seen by
the very next read."""

from __future__ import annotations

import uuid

from flask import Flask

from src import create_app
from src.extensions import db
from tests.conftest import PASSWORD, bearer, new_admin_headers, settings_for_tests
from tests.support.collections import collection, create, listed
from tests.support.revocation import assert_logout_refuses_the_next_cached_read
from tests.support.statements import app_engine_events

HEAT = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}
# What a session runs around its statements (the test's savepoints; SQLite's BEGIN).
_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def _statements_of(app: Flask):
    return app_engine_events(app, "before_cursor_execute", 2)


def _data_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.lstrip().upper().startswith(_TRANSACTION_CONTROL)]


def test_a_cached_read_is_one_statement_the_token_check(client, user_headers):
    mine = create(client, user_headers, collection(movies=[listed(1)]))
    paths = ["/catalog/movies/", "/catalog/genres/", "/collection/", f"/collection/{mine}/"]
    for path in paths:
        first = client.get(path, headers=user_headers)
        assert first.status_code == 200, (path, first.json)
        revalidate = {**user_headers, "If-None-Match": first.headers["ETag"]}
        for headers, status in ((user_headers, 200), (revalidate, 304)):
            with _statements_of(client.application) as statements:
                assert client.get(path, headers=headers).status_code == status, path
            [combined] = _data_statements(statements)
            assert "login_sessions" in combined and "revisions" in combined, combined


def test_a_revoked_session_is_refused_by_a_cached_read(client, register):
    tokens = register("alice")
    headers = bearer(tokens["access_token"])
    assert_logout_refuses_the_next_cached_read(client, headers)


def test_another_instances_write_between_two_reads_is_seen(isolated_app, tmp_path):
    """Two apps on one database, each with its own pool and cache, both committing."""
    other = create_app(
        settings_for_tests(isolated_app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path))
    )
    reader, writer = isolated_app.test_client(), other.test_client()
    word = uuid.uuid4().hex[:8]
    title, path = f"Heat {word}", f"/catalog/movies/?q={word}"
    account = {"username": f"reader-{word}", "password": PASSWORD}
    headers = bearer(reader.post("/register/", json=account).json["access_token"])
    before = reader.get(path, headers=headers)
    assert before.json["count"] == 0
    revalidate = {**headers, "If-None-Match": before.headers["ETag"]}
    assert reader.get(path, headers=revalidate).status_code == 304
    created = writer.post(
        "/catalog/movies/", json={**HEAT, "title": title}, headers=new_admin_headers(other)
    )
    assert created.status_code == 201, created.json
    after = reader.get(path, headers=revalidate)
    assert after.status_code == 200
    assert [movie["title"] for movie in after.json["data"]] == [title]
    with other.app_context():
        db.engine.dispose()
