"""The request counter's API, and what the counting layer counts, through the test client."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import update

from src import create_app
from src.accounts.auth import public
from src.counter.middleware import CountingMiddleware
from src.counter.models import RequestCounterSlot
from src.extensions import db
from tests.conftest import PASSWORD, bearer, settings_for_tests

RESET_MESSAGE = "request count reset successfully"


def _set_slots(app: Flask, counts: dict[int, int]) -> None:
    with app.app_context():
        for slot, count in counts.items():
            db.session.execute(
                update(RequestCounterSlot)
                .where(RequestCounterSlot.slot == slot)
                .values(count=count)
            )
        db.session.commit()


# The API, on each backend; the general test app does not count (REQUEST_COUNTER_ENABLED off).


def test_reading_the_count_needs_a_token(client):
    response = client.get("/request-count/")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_count_is_the_sum_of_every_slot(app, client, user_headers):
    _set_slots(app, {0: 5, 7: 11, 31: 26})
    response = client.get("/request-count/", headers=user_headers)
    assert response.status_code == 200
    assert response.json == {"requests": 42}


def test_reset_by_a_non_admin_is_403_and_keeps_the_count(app, client, user_headers):
    _set_slots(app, {3: 9})
    response = client.post("/request-count/reset/", headers=user_headers)
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert client.get("/request-count/", headers=user_headers).json == {"requests": 9}


def test_reset_without_a_token_is_401(client):
    assert client.post("/request-count/reset/").status_code == 401


def test_admin_reset_zeroes_every_slot_and_says_how_many_it_zeroed(app, client, admin_headers):
    _set_slots(app, {0: 2, 12: 3, 30: 4})
    response = client.post("/request-count/reset/", headers=admin_headers)
    assert response.status_code == 200
    assert response.json == {"message": RESET_MESSAGE, "requests_before_reset": 9}
    assert client.get("/request-count/", headers=admin_headers).json == {"requests": 0}


def test_openapi_documents_the_counter_with_its_security(client):
    paths = client.get("/openapi.json").json["paths"]
    read = paths["/request-count/"]["get"]
    reset = paths["/request-count/reset/"]["post"]
    assert read["summary"] and reset["summary"]
    assert "security" not in read  # the spec's default: a bearer token
    assert {"200", "403"} <= set(reset["responses"])


# The counting layer, on an app of its own that counts into a SQLite file.


@pytest.fixture(scope="module")
def counting_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("counting")
    settings = settings_for_tests(f"sqlite:///{instance}/count.db", str(instance))
    app = create_app(
        {
            **settings,
            "REQUEST_COUNTER_ENABLED": True,
            "REQUEST_COUNTER_TIMEOUT_MS": 200,
            "TESTING": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @app.get("/boom/")
    @public
    def boom() -> None:
        raise RuntimeError("a bug")

    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def counting_client(counting_app: Flask) -> FlaskClient:
    _sqlite(counting_app, "UPDATE request_counter SET count = 0")
    return counting_app.test_client()


@pytest.fixture(scope="module")
def counting_admin(counting_app: Flask) -> dict[str, str]:
    runner = counting_app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--username", "root", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    login = counting_app.test_client().post(
        "/login/", json={"username": "root", "password": PASSWORD}
    )
    return bearer(login.json["access_token"])


def _sqlite(app: Flask, statement: str) -> int:
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    with sqlite3.connect(path, timeout=5) as connection:
        rows = connection.execute(statement).fetchall()
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0


def _stored(app: Flask) -> int:
    return _sqlite(app, "SELECT sum(count) FROM request_counter")


def test_every_status_is_counted_once(counting_app, counting_client):
    answers = [
        counting_client.get("/healthz"),
        counting_client.get("/catalog/movies/"),
        counting_client.get("/no/such/page/"),
        counting_client.delete("/healthz"),
        counting_client.post("/register/", data="x" * (2 * 1024 * 1024), content_type="text/plain"),
        counting_client.post("/register/", data="a=b", content_type="text/plain"),
        counting_client.post("/register/", json={"username": "x"}),
        counting_client.get("/boom/"),
    ]
    assert [answer.status_code for answer in answers] == [200, 401, 404, 405, 413, 415, 422, 500]
    assert _stored(counting_app) == len(answers)


def test_a_reading_does_not_count_itself_but_the_next_one_does(counting_client, counting_admin):
    counting_client.get("/healthz")
    first = counting_client.get("/request-count/", headers=counting_admin).json["requests"]
    second = counting_client.get("/request-count/", headers=counting_admin).json["requests"]
    assert (first, second) == (1, 2)


def test_the_reset_request_is_the_first_counted_after_it(counting_client, counting_admin):
    for _ in range(3):
        counting_client.get("/healthz")
    reset = counting_client.post("/request-count/reset/", headers=counting_admin)
    assert reset.json == {"message": RESET_MESSAGE, "requests_before_reset": 3}
    assert counting_client.get("/request-count/", headers=counting_admin).json == {"requests": 1}


def test_a_missing_slot_row_is_made_by_the_first_increment(counting_app, counting_client):
    _sqlite(counting_app, "DELETE FROM request_counter")
    counting_client.get("/healthz")
    counting_client.get("/healthz")
    assert _sqlite(counting_app, "SELECT count FROM request_counter WHERE slot = 0") == 2


def _failures_counted() -> float:
    """request_counter_failures_total, as /metrics shows it."""
    return REGISTRY.get_sample_value("request_counter_failures_total") or 0.0


def test_a_failing_store_serves_the_request_and_logs_the_loss(
    counting_app, counting_client, capsys
):
    path = counting_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    failures = _failures_counted()
    blocker = sqlite3.connect(path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock past the 200 ms budget
        response = counting_client.get("/healthz", headers={"X-Request-ID": "lost-1"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert response.status_code == 200
    assert _failures_counted() == failures + 1
    assert _stored(counting_app) == 0
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]
    losses = [entry for entry in logged if entry["message"] == "request not counted"]
    assert losses == [
        {**losses[0], "level": "WARNING", "request_id": "lost-1", "error": "OperationalError"}
    ]


def test_counting_wraps_everything_else_and_can_be_turned_off(counting_app, tmp_path):
    assert isinstance(counting_app.wsgi_app, CountingMiddleware)
    quiet = create_app(settings_for_tests(f"sqlite:///{tmp_path}/quiet.db", str(tmp_path)))
    assert not isinstance(quiet.wsgi_app, CountingMiddleware)
