"""Engine settings per backend: pool limits and timeouts for Postgres, pragmas for SQLite."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import InterfaceError, OperationalError

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
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy, not the driver, open transactions, so that SAVEPOINT works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that read first
    # cannot upgrade while another connection writes, and SQLite fails it at once instead
    # of waiting out busy_timeout. SQLite is the one-host embedded default, so serialising
    # its transactions is the right trade; Postgres is for load.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def release_connection() -> None:
    """End this request's transaction and return its connection before slow outbound I/O.

    While the view waits on an upstream it then holds no pooled connection and no lock (on
    SQLite every transaction holds the write lock). The caller (a Principal, not a row) stays
    usable; what the view needs from the database afterwards runs in a new short transaction.
    """
    from src.extensions import db

    db.session.close()


def close_session_quietly(error: BaseException | None = None) -> None:
    """End the request's session even when the database died under it.

    Closing rolls back on the connection; when Postgres went away that rollback fails
    (SQLAlchemy has then invalidated the connection, so the pool drops it). The answer was
    already made: the failure is logged, not turned into a 500 by the teardown.
    """
    from src.extensions import db

    try:
        db.session.remove()
    except (OperationalError, InterfaceError) as exc:
        db.session.registry.clear()
        log.warning("closed a session whose database connection was lost: %s", type(exc).__name__)


def init_database(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run in
    # reverse); Flask-SQLAlchemy's then finds nothing left to close.
    app.teardown_appcontext(close_session_quietly)
