"""What a gunicorn worker holds of Postgres under concurrent load: its SQLAlchemy pool (the
views' sessions) and one direct connection per thread at the most, shared by the token
check, the request count's read and the counter's increment (src/direct_connections.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_URL, postgres_database
from tests.e2e.counter_support import expected_statuses, needs_postgres, register
from tests.support.processes import instance_env, migrate, running_gunicorn
from tests.support.traffic import Call, send_concurrently

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

THREADS = 4


@pytest.fixture(scope="module")
def database_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    name = f"{make_url(POSTGRES_URL).database}_connections"
    with postgres_database(name) as url:
        env = {
            **instance_env(tmp_path_factory.mktemp("connections"), url),
            "REQUEST_COUNTER_ENABLED": "true",
        }
        migrate(env)
        yield env


def _backends(url: str) -> dict[str, int]:
    """The service's connections to its database, by application_name."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT application_name, count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " GROUP BY application_name"
                )
            )
            return {name: int(count) for name, count in rows}
    finally:
        engine.dispose()


def _calls(total: int, user: dict[str, str]) -> list[Call]:
    """Each kind of request's statements at once on every thread: token checks, the count's
    read, views in the session (a query never asked before), and every request's increment."""
    calls = []
    for number in range(total):
        kind = number % 4
        if kind == 0:
            calls.append(Call("GET", "/me/", {"headers": user}, expect=200))
        elif kind == 1:
            calls.append(Call("GET", "/request-count/", {"headers": user}, expect=200))
        elif kind == 2:
            query = f"/catalog/movies/?title=never-{uuid.uuid4().hex[:12]}"
            calls.append(Call("GET", query, {"headers": user}, expect=200))
        else:
            calls.append(Call("GET", "/healthz", expect=200))
    return calls


def test_a_worker_holds_at_most_its_pool_and_one_direct_connection_per_thread(database_env):
    url = database_env["DATABASE_URL"]
    with running_gunicorn(database_env, workers=1, threads=THREADS) as server:
        user = register(server.url)
        calls = _calls(3000, user)
        statuses = send_concurrently(server.url, calls, clients=3 * THREADS)
        held = _backends(url)
    assert statuses == expected_statuses(calls)
    assert 1 <= held.get("movie-service-direct", 0) <= THREADS, held
    assert 1 <= held.get("movie-service", 0) <= THREADS, held  # the pool: one session a thread
    assert sum(held.values()) <= 2 * THREADS, held
