"""Engine settings per backend: pool limits and timeouts for Postgres, pragmas for SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url


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
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN")
