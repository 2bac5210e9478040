"""The counter's own connections: one short write per request, never in the request's session."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from src.counter.group_commit import GroupCommit
from src.counter.increments import CounterUnavailable, PostgresIncrements
from src.counter.statements import SQLITE_INCREMENT
from src.direct_connections import DirectConnections, conninfo
from src.metrics import COUNTER_FAILURES
from src.per_process import per_process

__all__ = ["CounterStore", "CounterUnavailable", "note_failed_increment"]


def note_failed_increment() -> None:
    """A request served but not counted: operators see it on /metrics."""
    COUNTER_FAILURES.inc()


class CounterStore:
    """Adds one to a slot per request, over connections of its own made in each process.

    Postgres: autocommitted UPDATEs spread over `slots` rows, so concurrent increments seldom
    wait for one row's lock, on the process's direct connections (src/counter/increments.py):
    the app's own, which its token checks use, else (a store on its own) a set made here.
    SQLite: one row, BEGIN IMMEDIATE, over a small SQLAlchemy pool of its own.
    """

    def __init__(
        self,
        *,
        url: str,
        slots: int,
        pool_size: int,
        timeout_ms: int,
        durable: bool = True,
        connections: DirectConnections | None = None,
    ) -> None:
        parsed = make_url(url)
        sqlite = parsed.get_backend_name() == "sqlite"
        self.slots = 1 if sqlite else max(1, slots)
        pool_size, timeout_ms = max(1, pool_size), max(1, timeout_ms)
        self._backend: PostgresIncrements | SqliteIncrements
        self._count_one: Callable[[], None]
        if sqlite:
            sqlite_increments = SqliteIncrements(
                url=parsed, pool_size=pool_size, timeout_ms=timeout_ms
            )
            self._backend = sqlite_increments
            self._count_one = partial(sqlite_increments.increment, 0)
        else:
            if connections is None:
                connections = _connections_of_its_own(parsed, timeout_ms, durable)
            postgres = PostgresIncrements(connections=connections, slots=self.slots)
            self._backend = postgres
            self._count_one = GroupCommit(postgres.add).add_one

    def increment(self) -> None:
        """Count one request, committed when this returns; raises CounterUnavailable when the
        store fails."""
        self._count_one()

    def close(self) -> None:
        """Let go of this process's idle connections (a store done with, in tests)."""
        self._backend.close()


def _connections_of_its_own(url: URL, timeout_ms: int, durable: bool) -> DirectConnections:
    connect_args = {
        "connect_timeout": max(1, round(timeout_ms / 1000)),
        "options": f"-c statement_timeout={timeout_ms}",
    }
    return DirectConnections(
        conninfo(
            url,
            connect_args=connect_args,
            lock_timeout_ms=timeout_ms,
            durable=durable,
            application_name="movie-service-counter",
        )
    )


class SqliteIncrements:
    """The embedded default: one row, BEGIN IMMEDIATE, on a small pool made in each process."""

    def __init__(self, *, url: URL, pool_size: int, timeout_ms: int) -> None:
        self._url = url
        self._pool_size = pool_size
        self._timeout_ms = timeout_ms
        # Pooled connections must not cross a fork: each gunicorn worker makes its own, and
        # leaves the parent's alone.
        self._engine = per_process(self._make_engine, on_fork=lambda e: e.dispose(close=False))

    def increment(self, slot: int) -> None:
        engine = self._engine.get()
        try:
            connection = engine.raw_connection()
        # Cannot connect (raw_connection() lets the driver's own error through unwrapped),
        # or the pool stayed empty too long.
        except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as exc:
            raise CounterUnavailable(str(exc)) from exc
        try:
            self._write(connection.cursor(), slot)
        except engine.dialect.loaded_dbapi.Error as exc:
            connection.invalidate()  # a broken or mid-transaction connection never goes back
            raise CounterUnavailable(str(exc)) from exc
        finally:
            connection.close()

    def close(self) -> None:
        self._engine.get().dispose()

    @staticmethod
    def _write(cursor: Any, slot: int) -> None:
        statements = SQLITE_INCREMENT
        try:
            cursor.execute(statements.begin)
            cursor.execute(statements.increment, (slot,))
            if cursor.rowcount == 0:
                cursor.execute(statements.increment_new_slot, (slot,))
            cursor.execute(statements.commit)
        finally:
            cursor.close()

    def _make_engine(self) -> Engine:
        timeout_ms = self._timeout_ms
        engine = create_engine(
            self._url,
            connect_args={"timeout": timeout_ms / 1000},
            pool_size=self._pool_size,
            max_overflow=self._pool_size,
            pool_timeout=timeout_ms / 1000,
            pool_recycle=1800,
            pool_reset_on_return=None,  # every increment ends its own transaction
        )

        # Runs after src.database's pragmas (engine listeners follow the class-wide ones): an
        # increment waits at most timeout_ms for the write lock, not the app's 10 s.
        @event.listens_for(engine, "connect")
        def _short_busy_timeout(dbapi_connection: Any, connection_record: Any) -> None:
            dbapi_connection.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")

        return engine
