"""The counter's increments on Postgres's direct connections (a store on its own makes its
own), on a database of their own whose counts commit for real: a connection the server ended
is replaced before it loses a count, a failed increment is reported and the next one counted,
threads share at most one connection each, and a forked child leaves the parent's alone."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import flask_migrate
import pytest
from sqlalchemy import create_engine, make_url, text

from src import create_app
from src.counter.store import CounterStore, CounterUnavailable
from tests.conftest import POSTGRES_URL, postgres_database, settings_for_tests

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="the counter's sessions are Postgres's"),
]

APPLICATION = "movie-service-counter"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    name = f"{make_url(POSTGRES_URL).database}_counter_increments"
    with postgres_database(name) as url:
        instance = str(tmp_path_factory.mktemp("counter-increments"))
        with create_app(settings_for_tests(url, instance)).app_context():
            flask_migrate.upgrade()
        yield url


@pytest.fixture
def store(database: str) -> Iterator[CounterStore]:
    _sql(database, "UPDATE request_counter SET count = 0")
    counter = CounterStore(url=database, slots=32, pool_size=4, timeout_ms=300)
    yield counter
    counter.close()


def _sql(url: str, statement: str) -> list[int]:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            result = connection.execute(text(statement))
            return [row[0] for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def _stored(url: str) -> int:
    return _sql(url, "SELECT coalesce(sum(count), 0) FROM request_counter")[0]


def _counter_backends(url: str) -> list[int]:
    return _sql(
        url,
        "SELECT pid FROM pg_stat_activity"
        f" WHERE application_name = '{APPLICATION}' AND datname = current_database()",
    )


def _counter_backends_once_closed(url: str, at_most: int) -> list[int]:
    """The counter's backends, once those of closed sessions are gone (a backend ends a moment
    after its client closed)."""
    deadline = time.monotonic() + 10
    while len(backends := _counter_backends(url)) > at_most and time.monotonic() < deadline:
        time.sleep(0.05)
    return backends


def test_a_connection_the_server_ended_while_idle_is_replaced_and_the_request_counted(
    database, store
):
    store.increment()
    [ended] = _counter_backends(database)
    _sql(database, f"SELECT pg_terminate_backend({ended}, 5000)")  # waits until it is gone
    store.increment()
    assert _stored(database) == 2
    assert ended not in _counter_backends(database)


def test_an_increment_that_failed_is_reported_and_the_next_request_counted(database, store):
    store.increment()
    engine = create_engine(database)
    try:
        with engine.begin() as connection:
            connection.execute(text("LOCK TABLE request_counter IN ACCESS EXCLUSIVE MODE"))
            with pytest.raises(CounterUnavailable):
                store.increment()  # waits out the 300 ms lock timeout
    finally:
        engine.dispose()
    store.increment()
    assert _stored(database) == 2
    assert len(_counter_backends_once_closed(database, at_most=1)) == 1


def test_threads_count_exactly_on_at_most_one_connection_each(database):
    _sql(database, "UPDATE request_counter SET count = 0")
    store = CounterStore(url=database, slots=32, pool_size=2, timeout_ms=2000)
    start = threading.Barrier(6)

    def send_50() -> None:
        start.wait()
        for _ in range(50):
            store.increment()

    threads = [threading.Thread(target=send_50) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _stored(database) == 300
        assert 1 <= len(_counter_backends(database)) <= 6
    finally:
        store.close()


def test_a_missing_slot_row_is_made_by_the_first_increment(database):
    _sql(database, "UPDATE request_counter SET count = 0")
    store = CounterStore(url=database, slots=40, pool_size=1, timeout_ms=300)
    try:
        for _ in range(400):  # 40 slots: every one is hit, 32-39 beyond the migration's
            store.increment()
    finally:
        store.close()
    try:
        assert _stored(database) == 400
        assert _sql(database, "SELECT count(*) FROM request_counter WHERE slot >= 32")[0] > 0
    finally:
        _sql(database, "DELETE FROM request_counter WHERE slot >= 32")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (gunicorn's workers)")
def test_a_forked_child_counts_on_its_own_connection_and_leaves_the_parents_alone(database, store):
    store.increment()
    [parents] = _counter_backends(database)
    pid = os.fork()
    if pid == 0:  # the child: reports through its exit status only
        try:
            store.increment()
            store.close()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.increment()
    assert _stored(database) == 3
    assert _counter_backends_once_closed(database, at_most=1) == [parents]
