"""The counter's own connections: one short write per request, never in the request's session."""

from __future__ import annotations

import os
import random
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine.url import make_url

# The whole increment: one row, one statement, no read before it.
_INCREMENT = text("UPDATE request_counter SET count = count + 1 WHERE slot = :slot")
# Only when the slot's row is missing (more slots configured than the migration made).
_INCREMENT_NEW_SLOT = text(
    "INSERT INTO request_counter (slot, count) VALUES (:slot, 1)"
    " ON CONFLICT (slot) DO UPDATE SET count = request_counter.count + 1"
)

_failures = 0
_failures_lock = threading.Lock()


def failed_increments() -> int:
    """Requests this process served but could not count since it started (for /metrics)."""
    return _failures


def note_failed_increment() -> None:
    global _failures
    with _failures_lock:
        _failures += 1


class CounterStore:
    """Adds one to a slot per request, over a small pool of its own made in each process.

    On Postgres the connections autocommit, so each increment is its own short transaction, and
    the slots spread concurrent increments over rows. SQLite has one writer at a time: one row,
    and a transaction that takes the write lock up front (BEGIN IMMEDIATE).
    """

    def __init__(self, *, url: str, slots: int, pool_size: int, timeout_ms: int) -> None:
        self._url = make_url(url)
        self._sqlite = self._url.get_backend_name() == "sqlite"
        self.slots = 1 if self._sqlite else max(1, slots)
        self._pool_size = max(1, pool_size)
        self._timeout_ms = max(1, timeout_ms)
        self._engine: Engine | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def increment(self) -> None:
        """Count one request; raises SQLAlchemyError when the store fails."""
        slot = random.randrange(self.slots)  # noqa: S311 (spreads writes; no secret)
        with self._engine_of_this_process().begin() as connection:
            if connection.execute(_INCREMENT, {"slot": slot}).rowcount == 0:
                connection.execute(_INCREMENT_NEW_SLOT, {"slot": slot})

    def _engine_of_this_process(self) -> Engine:
        # Pooled connections must not cross a fork: each gunicorn worker makes its own.
        engine, pid = self._engine, os.getpid()
        if engine is not None and self._pid == pid:
            return engine
        with self._lock:
            if self._engine is None or self._pid != pid:
                if self._engine is not None:
                    self._engine.dispose(close=False)  # the parent's: leave its sockets alone
                self._engine = self._make_engine()
                self._pid = pid
            return self._engine

    def _make_engine(self) -> Engine:
        timeout_s = self._timeout_ms / 1000
        pool = {
            "pool_size": self._pool_size,
            "max_overflow": self._pool_size,
            "pool_timeout": timeout_s,
            "pool_recycle": 1800,
        }
        if self._sqlite:
            return _sqlite_engine(self._url, self._timeout_ms, pool)
        limits = f"-c statement_timeout={self._timeout_ms} -c lock_timeout={self._timeout_ms}"
        connect_args = {
            "connect_timeout": max(1, round(timeout_s)),
            "options": limits,
            "application_name": "movie-service-counter",
        }
        return create_engine(
            self._url, isolation_level="AUTOCOMMIT", connect_args=connect_args, **pool
        )


def _sqlite_engine(url: Any, timeout_ms: int, pool: dict[str, Any]) -> Engine:
    engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000}, **pool)

    # Runs after src.database's pragmas (engine listeners follow the class-wide ones): an
    # increment waits at most timeout_ms for the write lock, not the app's 10 s.
    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")

    return engine.execution_options(sqlite_begin="IMMEDIATE")
