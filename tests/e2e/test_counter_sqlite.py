"""The embedded default: the request counter on SQLite in one gunicorn process of threads."""

from __future__ import annotations

import pytest

from tests.e2e.counter_support import (
    admin_headers,
    expected_statuses,
    mixed_calls,
    read_count,
    register,
    reset_halfway,
    stored_count,
    zero_counter,
)
from tests.support.processes import instance_env, migrate, running_gunicorn
from tests.support.traffic import send_concurrently

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    instance = tmp_path_factory.mktemp("counter-sqlite")
    env = {
        **instance_env(instance),
        "REQUEST_COUNTER_ENABLED": "true",
    }
    migrate(env)
    return env


def test_sqlite_counts_exactly_under_threads_in_one_process(sqlite_env):
    url = sqlite_env["DATABASE_URL"]
    with running_gunicorn(sqlite_env, workers=1, threads=8) as server:
        user = register(server.url)
        calls = mixed_calls(1200, user)
        zero_counter(url)

        statuses = send_concurrently(server.url, calls, clients=8)

        assert statuses == expected_statuses(calls)
        assert read_count(server.url, user) == 1200
    assert stored_count(url) == 1201


def test_sqlite_count_survives_an_app_restart(sqlite_env):
    url = sqlite_env["DATABASE_URL"]
    with running_gunicorn(sqlite_env, workers=1, threads=2) as first:
        user = register(first.url)
        zero_counter(url)
        send_concurrently(first.url, mixed_calls(30, user), clients=2)

    with running_gunicorn(sqlite_env, workers=1, threads=2) as second:
        assert read_count(second.url, user) == 31  # 30 sent, and the restart's /healthz probe


def test_sqlite_reset_racing_with_threads_neither_loses_nor_doubles_a_request(sqlite_env):
    with running_gunicorn(sqlite_env, workers=1, threads=8) as server:
        user, admin = register(server.url), admin_headers(server.url, sqlite_env)
        calls = mixed_calls(800, user)
        zero_counter(sqlite_env["DATABASE_URL"])

        reset = reset_halfway(server.url, calls, admin=admin, clients=8)

        assert reset.status_code == 200
        before = reset.json()["requests_before_reset"]
        after = read_count(server.url, user)
    assert before >= 400 and after > 1
    assert before + after == len(calls) + 1
