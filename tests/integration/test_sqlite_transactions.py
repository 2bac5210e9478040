"""When the app's transactions take SQLite's write lock (src/database.py): a request by a
safe method only reads and leaves the lock to writers; anything that may write takes it up
front, so that its write never fails on a snapshot gone stale; other engines in the process
are left as they are. Committed for real, on the isolated database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from src.extensions import db
from tests.conftest import PASSWORD, bearer

READ = text("SELECT count(*) FROM genres")


@pytest.fixture
def sqlite_app(isolated_app: Flask, backend: str) -> Flask:
    if backend != "sqlite":
        pytest.skip("SQLite's write lock")
    return isolated_app


def _database_file(app: Flask) -> str:
    with app.app_context():
        path = db.engine.url.database
    assert path
    return path


def _another_connection_can_write(app: Flask) -> bool:
    """Whether another connection gets the write lock now (it does not wait for it)."""
    other = sqlite3.connect(_database_file(app), timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


@contextmanager
def _write_lock_held_elsewhere(app: Flask) -> Iterator[None]:
    other = sqlite3.connect(_database_file(app), timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_a_reading_request_leaves_the_write_lock_free(sqlite_app, method):
    with sqlite_app.test_request_context("/catalog/genres/", method=method):
        db.session.execute(READ)  # its transaction is open
        assert _another_connection_can_write(sqlite_app)
        db.session.rollback()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_request_that_may_write_holds_the_write_lock_from_its_first_read(sqlite_app, method):
    with sqlite_app.test_request_context("/collection/", method=method):
        db.session.execute(READ)
        assert not _another_connection_can_write(sqlite_app)
        db.session.rollback()
    assert _another_connection_can_write(sqlite_app)


def test_work_outside_a_request_holds_the_write_lock_from_its_first_read(sqlite_app):
    with sqlite_app.app_context():  # the worker, a command
        db.session.execute(READ)
        assert not _another_connection_can_write(sqlite_app)
        db.session.rollback()


def test_reads_are_answered_while_another_connection_writes(sqlite_app):
    client = sqlite_app.test_client()
    credentials = {"username": "lock-reader", "password": PASSWORD}
    assert client.post("/register/", json=credentials).status_code == 201
    token = client.post("/login/", json=credentials).json["access_token"]
    with _write_lock_held_elsewhere(sqlite_app):
        genres = client.get("/catalog/genres/", headers=bearer(token))
        me = client.get("/me/", headers=bearer(token))
    assert genres.status_code == 200, genres.json
    assert me.status_code == 200, me.json
    assert me.json["username"] == "lock-reader"


def test_another_engine_in_the_process_keeps_its_own_transactions(sqlite_app):
    engine = create_engine(f"sqlite:///{_database_file(sqlite_app)}")
    try:
        with engine.begin() as connection:
            connection.execute(READ)
            assert _another_connection_can_write(sqlite_app)
    finally:
        engine.dispose()
