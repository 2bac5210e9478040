"""Exports end to end: the API (test client) and a real `flask --app wsgi worker` process,
on a Postgres database of their own, with the queue on SQLite, Postgres or Redis."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from src import create_app
from src.columns import utcnow
from src.exports.models import Export
from src.extensions import db
from src.worker import job_queue
from tests.conftest import PASSWORD, POSTGRES_URL, bearer, settings_for_tests
from tests.support.exports import (
    SAMPLE_EXPORT,
    insert_observations,
    observation,
    parse_csv,
    sample_history,
)
from tests.support.worker import SLOW_EXPORTS, migrate, running_worker, wait_for

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="the worker end-to-end tests need TEST_DATABASE_URL (Postgres); CI sets it",
    ),
]
REDIS_QUEUE_URL = "redis://127.0.0.1:6379/13"
TABLES = "exports, price_history, movie_genres, movies, genres, login_sessions, users"
WORKER_SETTINGS = {
    "EXPORT_LEASE_S": "2",
    "EXPORT_RETRY_BASE_S": "1",
    "EXPORT_MAX_ATTEMPTS": "3",
    "ACCESS_LOG": "false",
    "LOG_LEVEL": "INFO",
}
STATUS_LIMIT_S = 30.0


@pytest.fixture(scope="module")
def e2e_database() -> Iterator[str]:
    """A database of its own (made from TEST_DATABASE_URL's server), built by the migrations."""
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_exports_e2e"[:63]
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    url = url.replace("postgresql+psycopg2://", "postgresql://")
    try:
        migrate({"DATABASE_URL": url})
        yield url
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@dataclass
class Stack:
    """The API in this process and what a worker process needs to share its state."""

    app: Flask
    client: FlaskClient
    headers: dict[str, str]
    env: dict[str, str]
    export_dir: Path
    tmp: Path

    def request_export(self, **body: Any) -> str:
        response = self.client.post("/exports/", json=body, headers=self.headers)
        assert response.status_code == 202, response.json
        return str(response.json["id"])

    def export(self, export_id: str) -> dict[str, Any]:
        response = self.client.get(f"/exports/{export_id}/", headers=self.headers)
        assert response.status_code == 200, response.json
        return dict(response.json)

    def wait_status(self, export_id: str, *statuses: str, worker: Any = None) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            export = self.export(export_id)
            return export if export["status"] in statuses else None

        try:
            return wait_for(probe, limit_s=STATUS_LIMIT_S, what=f"export status {statuses}")
        except AssertionError as exc:
            tail = worker.log_tail() if worker else ""
            raise AssertionError(f"{exc}; export: {self.export(export_id)}\n{tail}") from None

    def download(self, export_id: str) -> list[list[str]]:
        response = self.client.get(f"/exports/{export_id}/download/", headers=self.headers)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        response.close()
        return parse_csv(body)

    def insert_history(self, rows: list[dict[str, Any]]) -> None:
        with self.app.app_context():
            insert_observations(db.session, rows)
            db.session.commit()

    def lease_expires_at(self, export_id: str) -> Any:
        with self.app.app_context():
            query = select(Export.lease_expires_at).where(Export.id == export_id)
            return db.session.execute(query).scalar_one()

    def files(self) -> list[str]:
        """What is in EXPORT_DIR (the worker makes it on its first export)."""
        if not self.export_dir.is_dir():
            return []
        return sorted(path.name for path in self.export_dir.iterdir())


def _queue_url(kind: str, database_url: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp}/queue.db"
    if kind == "postgres":
        return database_url
    try:
        redis.Redis.from_url(REDIS_QUEUE_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_QUEUE_URL} for the Redis queue variant")
    return REDIS_QUEUE_URL


def _build_stack(database_url: str, tmp: Path, queue: str, **settings: str) -> Stack:
    env = {
        "DATABASE_URL": database_url,
        "QUEUE_URL": _queue_url(queue, database_url, tmp),
        "EXPORT_DIR": str(tmp / "exports"),
        "INSTANCE_DIR": str(tmp / "worker-instance"),
        **WORKER_SETTINGS,
        **settings,
    }
    overrides = settings_for_tests(database_url, str(tmp / "api-instance"))
    overrides.update(QUEUE_URL=env["QUEUE_URL"], EXPORT_DIR=env["EXPORT_DIR"])
    app = create_app(overrides)
    with app.app_context():
        db.session.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
        db.session.commit()
    job_queue(app).huey.flush()  # nothing left from an earlier test
    client = app.test_client()
    credentials = {"username": "operator", "password": PASSWORD}
    tokens = client.post("/register/", json=credentials).json
    return Stack(app, client, bearer(tokens["access_token"]), env, tmp / "exports", tmp)


@pytest.fixture
def make_stack(e2e_database: str, tmp_path: Path) -> Iterator[Any]:
    stacks: list[Stack] = []

    def _make(queue: str = "sqlite", **settings: str) -> Stack:
        stacks.append(_build_stack(e2e_database, tmp_path, queue, **settings))
        return stacks[-1]

    yield _make
    for stack in stacks:
        job_queue(stack.app).huey.storage.close()
        with stack.app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("queue", ["sqlite", "postgres", "redis"])
def test_a_worker_exports_the_window_to_csv(make_stack: Any, queue: str) -> None:
    stack = make_stack(queue)
    stack.insert_history(sample_history(utcnow()))
    with running_worker(stack.env, stack.tmp / "worker.log") as worker:
        export_id = stack.request_export()
        export = stack.wait_status(export_id, "succeeded", "failed", worker=worker)
    assert (export["status"], export["attempts"], export["rows"]) == ("succeeded", 1, 3)
    header, *rows = stack.download(export_id)
    assert header[-1] == "last_seen_at"
    assert [row[:-1] for row in rows] == SAMPLE_EXPORT
    assert stack.files() == [f"{export_id}.csv"]
    assert worker.process.returncode == 0  # SIGTERM let it finish and exit cleanly


def _many_pairs(count: int) -> list[dict[str, Any]]:
    seen = utcnow() - timedelta(hours=1)
    return [
        observation(f"{number:07d}", provider, "10.00", seen, title=f"Movie {number}")
        for number in range(count)
        for provider in ("cinemaworld", "filmworld")
    ]


def test_an_export_survives_its_worker_being_killed(make_stack: Any) -> None:
    stack = make_stack(SLOW_EXPORT_ROW_DELAY_MS="25")
    stack.insert_history(_many_pairs(50))  # 100 rows at 25 ms: about 2.5 s of work
    with running_worker(stack.env, stack.tmp / "first.log", app=SLOW_EXPORTS) as first:
        export_id = stack.request_export()
        stack.wait_status(export_id, "running", worker=first)
        wait_for(
            lambda: [n for n in stack.files() if n.endswith(".part")] or None,
            limit_s=STATUS_LIMIT_S,
            what="a half-written part file",
        )
        first.kill()
    assert stack.export(export_id)["status"] == "running"
    # The next worker's start-up sweep takes it over once the dead worker's lease runs out.
    wait_for(
        lambda: stack.lease_expires_at(export_id) < utcnow() or None,
        limit_s=STATUS_LIMIT_S,
        what="the dead worker's lease to expire",
    )
    with running_worker(stack.env, stack.tmp / "second.log") as second:
        export = stack.wait_status(export_id, "succeeded", "failed", worker=second)
    assert (export["status"], export["attempts"], export["rows"]) == ("succeeded", 2, 100)
    assert stack.files() == [f"{export_id}.csv"]
    header, *rows = stack.download(export_id)
    assert len(rows) == 100 and len({tuple(row[:4]) for row in rows}) == 100


def test_a_transient_failure_is_retried(make_stack: Any) -> None:
    stack = make_stack(EXPORT_RETRY_BASE_S="2")
    stack.export_dir.write_text("a file where the export directory should be")
    with running_worker(stack.env, stack.tmp / "worker.log") as worker:
        export_id = stack.request_export()
        failed_once = wait_for(
            lambda: (e := stack.export(export_id))["attempts"] == 1 and e["error"] and e or None,
            limit_s=STATUS_LIMIT_S,
            what="the first attempt to fail",
        )
        assert failed_once["status"] == "queued"
        stack.export_dir.unlink()
        stack.export_dir.mkdir()
        export = stack.wait_status(export_id, "succeeded", "failed", worker=worker)
    assert (export["status"], export["attempts"], export["error"]) == ("succeeded", 2, None)
    assert stack.files() == [f"{export_id}.csv"]


def test_a_permanent_failure_ends_failed_after_the_last_attempt(make_stack: Any) -> None:
    stack = make_stack(EXPORT_MAX_ATTEMPTS="3", EXPORT_RETRY_BASE_S="1")
    stack.export_dir.write_text("never a directory")
    started = time.monotonic()
    with running_worker(stack.env, stack.tmp / "worker.log") as worker:
        export_id = stack.request_export()
        export = stack.wait_status(export_id, "failed", "succeeded", worker=worker)
    assert (export["status"], export["attempts"]) == ("failed", 3)
    assert export["error"].startswith("attempt 3: could not write the export file")
    assert time.monotonic() - started >= 3  # backed off 1 s, then 2 s
    shutil.rmtree(stack.tmp / "worker-instance", ignore_errors=True)


def test_a_users_quota_frees_as_the_worker_finishes(make_stack: Any) -> None:
    stack = make_stack()
    export_ids = [stack.request_export() for _ in range(3)]
    refused = stack.client.post("/exports/", json={}, headers=stack.headers)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "5")
    with running_worker(stack.env, stack.tmp / "worker.log") as worker:
        for export_id in export_ids:
            stack.wait_status(export_id, "succeeded", worker=worker)
    assert stack.request_export()  # 202 again: nothing of the user's is pending
