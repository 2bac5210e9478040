"""The app's engine per backend (pool limits and timeouts for Postgres; pragmas and when a
transaction takes the write lock for SQLite), the request's session, and holding no
connection during an outbound call. What SQL differs per backend is in src/dialects.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

from src.clients.outbound import outbound_deadline
from src.extensions import db

log = logging.getLogger(__name__)


def engine_options(settings: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options for the configured database URL."""
    options = dict(settings["SQLALCHEMY_ENGINE_OPTIONS"])
    url = make_url(settings["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        options.update(
            pool_size=settings["DB_POOL_SIZE"],
            max_overflow=settings["DB_POOL_SIZE"],
            pool_timeout=settings["DB_POOL_TIMEOUT_S"],
            connect_args={
                "connect_timeout": 3,
                "options": f"-c statement_timeout={settings['DB_STATEMENT_TIMEOUT_MS']}",
                "application_name": "movie-service",
            },
        )
    elif url.get_backend_name() == "sqlite":
        options.setdefault("connect_args", {})["timeout"] = 10
    return options


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    # Settings every SQLite connection of this process wants, the request counter's own
    # engine's too (src/counter/store.py relies on them: without synchronous=NORMAL each of
    # its increments waits for an fsync). How transactions begin is set on the app's engine
    # alone (configure_engine).
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _transactions_by_sqlalchemy(dbapi_connection: Any, connection_record: Any) -> None:
    # Let SQLAlchemy, not the driver, open transactions (_begin_sqlite), so that SAVEPOINT
    # works and each transaction says whether it takes the write lock.
    dbapi_connection.isolation_level = None


# Safe methods (RFC 9110) only read: the views behind them write nothing.
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_sqlite(connection: Connection) -> None:
    # A deferred transaction that read first cannot upgrade to a write once another
    # connection has committed since its snapshot: SQLite fails it at once ("database is
    # locked") instead of waiting out busy_timeout. So a transaction that may write takes
    # the write lock up front (IMMEDIATE: writers queue, each waiting up to busy_timeout);
    # a request by a safe method only reads, and reads in WAL mode need no lock at all, so
    # its transaction stays deferred and neither waits for a writer nor holds one up.
    # Outside a request (the worker, commands) every transaction may write.
    reads_only = has_request_context() and request.method in _READING_METHODS
    connection.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")


def configure_engine(engine: Engine) -> None:
    """Set up the app's own engine for its backend (other engines in the process are left as
    they are). SQLite: transactions that take the write lock up front only when they may
    write."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _transactions_by_sqlalchemy)
        event.listen(engine, "begin", _begin_sqlite)


def _end_transaction() -> None:
    session = db.session
    pending = session.new or session.deleted
    if pending or any(session.is_modified(instance) for instance in session.dirty):
        raise RuntimeError("commit the writes before an outbound call")
    session.rollback()


@contextmanager
def outbound_call(deadline_s: float) -> Iterator[None]:
    """Call an upstream holding no database connection: every outbound call in the block,
    retries included, ends within deadline_s seconds.

    The session's transaction (a request's reads; writes must be committed before) ends and
    its connection goes back to the pool, so a slow upstream holds neither a pooled
    connection nor a lock. What the request loaded stays usable: rows are reloaded in a new
    short transaction if touched after the block.
    """
    _end_transaction()
    with outbound_deadline(deadline_s):
        yield


def close_session_quietly(error: BaseException | None = None) -> None:
    """End the request's session even when the database died under it.

    Closing rolls back on the connection; when Postgres went away that rollback fails
    (SQLAlchemy has then invalidated the connection, so the pool drops it). The answer was
    already made: the failure is logged, not turned into a 500 by the teardown.
    """
    if not db.session.registry.has():
        return  # this context opened no session (a probe, a cached answer, the token check)
    try:
        db.session.remove()
    except (OperationalError, InterfaceError) as exc:
        db.session.registry.clear()
        log.warning("closed a session whose database connection was lost: %s", type(exc).__name__)


def init_database(app: Flask) -> None:
    """Configure the app's engines and end each app context's session, whatever happened."""
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse); Flask-SQLAlchemy's then finds nothing left to close.
    app.teardown_appcontext(close_session_quietly)
