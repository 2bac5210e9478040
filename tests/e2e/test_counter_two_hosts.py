"""Two gunicorn instances (two hosts) on one Postgres database count as one service."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import POSTGRES_URL
from tests.e2e.counter_support import (
    delete_test_users,
    expected_statuses,
    mixed_calls,
    needs_postgres,
    read_count,
    register,
    zero_counter,
)
from tests.support.processes import instance_env, migrate, running_gunicorn
from tests.support.traffic import send_concurrently

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

PER_HOST = 1000


@pytest.fixture(scope="module")
def host_envs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[dict[str, str]]]:
    envs = [
        {
            **instance_env(tmp_path_factory.mktemp(f"counter-host-{name}"), POSTGRES_URL),
            "REQUEST_COUNTER_ENABLED": "true",
            "REQUEST_COUNTER_SLOTS": "32",
        }
        for name in ("a", "b")
    ]
    migrate(envs[0])
    yield envs
    delete_test_users(POSTGRES_URL)
    zero_counter(POSTGRES_URL)


def test_two_hosts_sharing_one_database_count_the_exact_total(host_envs):
    env_a, env_b = host_envs
    with (
        running_gunicorn(env_a, workers=2, threads=4) as host_a,
        running_gunicorn(env_b, workers=2, threads=4) as host_b,
    ):
        user = register(host_a.url)
        calls = mixed_calls(PER_HOST, user)
        zero_counter(POSTGRES_URL)

        with ThreadPoolExecutor(max_workers=2) as both:
            on_a = both.submit(send_concurrently, host_a.url, calls, clients=8)
            on_b = both.submit(send_concurrently, host_b.url, calls, clients=8)
            statuses = [on_a.result(), on_b.result()]

        assert statuses == [expected_statuses(calls)] * 2
        assert read_count(host_a.url, user) == 2 * PER_HOST
        assert read_count(host_b.url, user) == 2 * PER_HOST + 1  # host A's reading
