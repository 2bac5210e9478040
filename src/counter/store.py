"""The counter's own connections: one short write per request, never in the request's session."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from src.counter.statements import POSTGRES_INCREMENT, SQLITE_INCREMENT
from src.metrics import COUNTER_FAILURES
from src.per_process import per_process


class CounterUnavailable(RuntimeError):
    """The store could not count a request (database down, pool or lock timeout)."""


def note_failed_increment() -> None:
    """A request served but not counted: operators see it on /metrics."""
    COUNTER_FAILURES.inc()


class CounterStore:
    """Adds one to a slot per request, over a small pool of its own made in each process.

    Postgres: autocommitted UPDATEs spread over `slots` rows, so concurrent increments seldom
    wait for one row's lock. SQLite: one row, BEGIN IMMEDIATE. The DBAPI cursor is used
    directly because this runs on every request: it costs a third of an SQLAlchemy execute.
    """

    def __init__(
        self, *, url: str, slots: int, pool_size: int, timeout_ms: int, durable: bool = True
    ) -> None:
        self._url = make_url(url)
        self._sqlite = self._url.get_backend_name() == "sqlite"
        self._statements = SQLITE_INCREMENT if self._sqlite else POSTGRES_INCREMENT
        self.slots = 1 if self._sqlite else max(1, slots)
        self._pool_size = max(1, pool_size)
        self._timeout_ms = max(1, timeout_ms)
        self._durable = durable
        # Pooled connections must not cross a fork: each gunicorn worker makes its own, and
        # leaves the parent's sockets alone.
        self._engine = per_process(self._make_engine, on_fork=lambda e: e.dispose(close=False))

    def increment(self) -> None:
        """Count one request; raises CounterUnavailable when the store fails."""
        slot = random.randrange(self.slots)  # noqa: S311 (spreads writes; no secret)
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

    def _write(self, cursor: Any, slot: int) -> None:
        statements = self._statements
        try:
            if statements.begin:
                cursor.execute(statements.begin)
            cursor.execute(statements.increment, (slot,))
            if cursor.rowcount == 0:
                cursor.execute(statements.increment_new_slot, (slot,))
            if statements.commit:
                cursor.execute(statements.commit)
        finally:
            cursor.close()

    def _make_engine(self) -> Engine:
        pool = {
            "pool_size": self._pool_size,
            "max_overflow": self._pool_size,
            "pool_timeout": self._timeout_ms / 1000,
            "pool_recycle": 1800,
            "pool_reset_on_return": None,  # every increment ends its own transaction
        }
        if self._sqlite:
            return _sqlite_engine(self._url, self._timeout_ms, pool)
        return _postgres_engine(self._url, self._timeout_ms, self._durable, pool)


def _postgres_engine(url: URL, timeout_ms: int, durable: bool, pool: dict[str, Any]) -> Engine:
    options = f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"
    if not durable:
        # The commit returns before its WAL is flushed: a crash of Postgres itself may lose the
        # last moments of counts (never count twice); nothing else changes.
        options += " -c synchronous_commit=off"
    connect_args = {
        "connect_timeout": max(1, round(timeout_ms / 1000)),
        "options": options,
        "application_name": "movie-service-counter",
    }
    return create_engine(url, isolation_level="AUTOCOMMIT", connect_args=connect_args, **pool)


def _sqlite_engine(url: URL, timeout_ms: int, pool: dict[str, Any]) -> Engine:
    engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000}, **pool)

    # Runs after src.database's pragmas (engine listeners follow the class-wide ones): an
    # increment waits at most timeout_ms for the write lock, not the app's 10 s.
    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")

    return engine
