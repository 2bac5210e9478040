"""The huey instance for QUEUE_URL: SQLite file, Redis or Postgres storage."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import redis
from huey import Huey, PostgresHuey, RedisHuey, SqliteHuey
from sqlalchemy.engine.url import make_url

from config import ConfigError

QUEUE_NAME = "movie-service"

# What a storage raises when it cannot take a message: the job's row is committed by then,
# so the reconciler re-enqueues it later; the request still succeeds.
QUEUE_ERRORS: tuple[type[Exception], ...] = (
    sqlite3.Error,
    OSError,
    redis.RedisError,
    psycopg.Error,
)


def huey_from_url(url: str) -> Huey:
    """A huey whose storage QUEUE_URL names; results are not kept (jobs write their rows)."""
    scheme = url.split(":", 1)[0].lower()
    options = {"name": QUEUE_NAME, "results": False, "utc": True}
    if scheme == "sqlite":
        filename = make_url(url).database
        if not filename:
            raise ConfigError("QUEUE_URL sqlite:///<path> needs a file path")
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(filename=filename, **options)
    if scheme in ("redis", "rediss", "unix"):
        return RedisHuey(url=url, **options)
    if scheme.split("+", 1)[0] in ("postgres", "postgresql"):
        dsn = "postgresql:" + url.split(":", 1)[1]  # psycopg takes no SQLAlchemy driver name
        return PostgresHuey(
            dsn=dsn, connect_timeout=5, application_name="movie-service-queue", **options
        )
    raise ConfigError(
        f"QUEUE_URL must be sqlite:///..., redis://... or postgresql://..., got {url!r}"
    )
