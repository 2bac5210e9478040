"""The request counter in real gunicorn processes on Postgres: exact under concurrency."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL
from tests.e2e.counter_support import (
    TIMEOUT_S,
    admin_headers,
    delete_test_users,
    expected_statuses,
    mixed_calls,
    needs_postgres,
    read_count,
    register,
    reset_halfway,
    stored_count,
    zero_counter,
)
from tests.support.processes import RunningServer, instance_env, migrate, running_gunicorn
from tests.support.traffic import send_concurrently

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

Headers = dict[str, str]


@pytest.fixture(scope="module")
def database_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {
        **instance_env(tmp_path_factory.mktemp("counter-postgres"), POSTGRES_URL),
        "REQUEST_COUNTER_ENABLED": "true",
        "REQUEST_COUNTER_SLOTS": "32",
    }
    migrate(env)
    yield env
    delete_test_users(POSTGRES_URL)
    zero_counter(POSTGRES_URL)


@pytest.fixture(scope="module")
def server(database_env: dict[str, str]) -> Iterator[RunningServer]:
    with running_gunicorn(database_env, workers=4, threads=4) as running:
        yield running


@pytest.fixture(scope="module")
def accounts(server: RunningServer, database_env: dict[str, str]) -> tuple[Headers, Headers]:
    """A user's and an admin's bearer headers."""
    return register(server.url), admin_headers(server.url, database_env)


def test_four_workers_of_four_threads_count_4000_mixed_requests_exactly(server, accounts):
    user, _ = accounts
    calls = mixed_calls(4000, user)
    zero_counter(POSTGRES_URL)

    statuses = send_concurrently(server.url, calls, clients=16)

    assert statuses == expected_statuses(calls)
    assert set(statuses) == {200, 401, 404, 405, 422}
    assert read_count(server.url, user) == 4000
    assert stored_count(POSTGRES_URL) == 4001  # the reading, counted once it answered


def test_reset_racing_with_traffic_neither_loses_nor_doubles_a_request(server, accounts):
    user, admin = accounts
    calls = mixed_calls(2000, user)
    zero_counter(POSTGRES_URL)

    reset = reset_halfway(server.url, calls, admin=admin, clients=16)

    assert reset.status_code == 200
    assert reset.json()["message"] == "request count reset successfully"
    before = reset.json()["requests_before_reset"]
    after = read_count(server.url, user)
    assert before >= 1000 and after > 1  # the reset landed while traffic was flowing
    assert before + after == len(calls) + 1  # the reset request is the first counted after it


def test_count_survives_an_app_restart(database_env, accounts):
    user, _ = accounts
    zero_counter(POSTGRES_URL)
    with running_gunicorn(database_env, workers=1, threads=2) as first:
        send_concurrently(first.url, mixed_calls(50, user), clients=2)

    with running_gunicorn(database_env, workers=1, threads=2) as second:
        # 50 sent, and each start's one /healthz probe.
        assert read_count(second.url, user) == 52


def test_slots_beyond_the_migrated_rows_are_made_on_first_use(database_env, accounts):
    user, _ = accounts
    zero_counter(POSTGRES_URL)
    env = {**database_env, "REQUEST_COUNTER_SLOTS": "64"}
    try:
        with running_gunicorn(env, workers=2, threads=4) as server:
            calls = mixed_calls(400, user)
            zero_counter(POSTGRES_URL)
            send_concurrently(server.url, calls, clients=8)
            assert read_count(server.url, user) == 400
        assert _slots_in_use_from(32) > 0
    finally:
        _drop_slots_from(32)


def test_request_is_served_and_the_loss_logged_when_the_counter_cannot_write(database_env):
    env = {**database_env, "REQUEST_COUNTER_TIMEOUT_MS": "300"}
    with running_gunicorn(env, workers=1, threads=2) as server:
        engine = create_engine(POSTGRES_URL)
        try:
            with engine.begin() as connection:
                connection.execute(text("LOCK TABLE request_counter IN ACCESS EXCLUSIVE MODE"))
                response = requests.get(
                    f"{server.url}/healthz",
                    headers={"X-Request-ID": "uncounted-1"},
                    timeout=TIMEOUT_S,
                )
        finally:
            engine.dispose()
        log = server.log_text()

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert '"message": "request not counted"' in log
    assert '"request_id": "uncounted-1"' in log


def _slots_in_use_from(first: int) -> int:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM request_counter WHERE slot >= :first AND count > 0"),
                    {"first": first},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _drop_slots_from(first: int) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM request_counter WHERE slot >= :first"), {"first": first}
            )
    finally:
        engine.dispose()
