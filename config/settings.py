"""Settings read from the environment when the app is created (12-factor), with their
embedded development defaults."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"

# Development-only fallbacks; production refuses to start with them (see check_production).
DEV_SECRET_KEY = "dev-secret-key-not-for-production"  # noqa: S105 (refused in production)
DEV_JWT_SECRET_KEY = "dev-jwt-secret-key-not-for-production-use"  # noqa: S105
DEV_PROVIDER_TOKEN = "dev-provider-token"  # noqa: S105 (the simulator's default)
DEV_MOVIE_LIST_USERNAME = "maya"
DEV_MOVIE_LIST_PASSWORD = "maya-dev-password"  # noqa: S105 (the simulator's default)
SIMULATOR_URL = "http://127.0.0.1:8001"
# What a developer's browser, the Flask test client ("localhost") and local servers are called.
DEV_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"]


N = TypeVar("N", int, float)


class ConfigError(RuntimeError):
    """The environment does not describe a runnable service."""


def _number(env: Mapping[str, str], name: str, default: N, parse: Callable[[str], N]) -> N:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        kind = "an integer" if parse is int else "a number"
        raise ConfigError(f"{name} must be {kind}, got {raw!r}") from exc


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    return _number(env, name, default, int)


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, float)


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _time_of_day(env: Mapping[str, str], name: str, default: str) -> tuple[int, int]:
    raw = env.get(name) or default
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if match is None:
        raise ConfigError(f"{name} must be a UTC time of day HH:MM, got {raw!r}")
    return int(match.group(1)), int(match.group(2))


def _bounded(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(env, name, default)
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def export_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """The export queue's settings (see .env.example for what each one means)."""
    return {
        "EXPORT_MAX_PENDING": _bounded(env, "EXPORT_MAX_PENDING", 3, 1, 1000),
        # Bounded so that now - retention stays inside the calendar.
        "EXPORT_RETENTION_DAYS": _bounded(env, "EXPORT_RETENTION_DAYS", 7, 1, 36_500),
        "EXPORT_MAX_ATTEMPTS": _int(env, "EXPORT_MAX_ATTEMPTS", 5),
        "EXPORT_RETRY_BASE_S": _float(env, "EXPORT_RETRY_BASE_S", 30.0),
        "EXPORT_LEASE_S": _float(env, "EXPORT_LEASE_S", 120.0),
        "EXPORT_REQUEUE_AFTER_S": _float(env, "EXPORT_REQUEUE_AFTER_S", 300.0),
        "EXPORT_DAILY_AT": _time_of_day(env, "EXPORT_DAILY_AT", "02:00"),
        "EXPORT_MAX_WINDOW_DAYS": _bounded(env, "EXPORT_MAX_WINDOW_DAYS", 366, 1, 3_660_000),
        "EXPORT_BATCH_ROWS": _int(env, "EXPORT_BATCH_ROWS", 5000),
        "EXPORT_STATEMENT_TIMEOUT_MS": _int(env, "EXPORT_STATEMENT_TIMEOUT_MS", 600_000),
        "QUEUE_WORKERS": _int(env, "QUEUE_WORKERS", 2),
        "QUEUE_SHUTDOWN_TIMEOUT_S": _float(env, "QUEUE_SHUTDOWN_TIMEOUT_S", 30.0),
    }


def _currency(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or default).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", raw):
        raise ConfigError(f"{name} must be a three-letter ISO 4217 code such as AUD, got {raw!r}")
    return raw


def database_url(url: str) -> str:
    """Pin Postgres URLs to the psycopg2 driver, whatever SQLAlchemy's default."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url.removeprefix(prefix)
    return url


def _list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _networks(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    entries = _list(env, name, default)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise ConfigError(
                f"{name} must list IP addresses or networks (comma-separated), got {entry!r}"
            ) from exc
    return entries


class BaseConfig:
    """Settings that do not depend on the environment."""

    MAX_CONTENT_LENGTH = 1024 * 1024
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    API_TITLE = "Movie service"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    # Swagger UI is served by src/docs.py from the pinned swagger-ui-bundle, not a CDN.
    OPENAPI_SWAGGER_UI_PATH = None
    JWT_ALGORITHM = "HS256"
    JWT_DECODE_ALGORITHMS = ["HS256"]
    JWT_TOKEN_LOCATION = ["headers"]
    JWT_ERROR_MESSAGE_KEY = "detail"


def settings_from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Every setting that the environment may change, with its embedded default."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development")
    instance = Path(env.get("INSTANCE_DIR", str(INSTANCE_DIR)))
    return {
        "APP_ENV": app_env,
        "DEBUG": False,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "JWT_SECRET_KEY": env.get("JWT_SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": database_url(
            env.get("DATABASE_URL") or f"sqlite:///{instance / 'movies.db'}"
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": True,
            "pool_recycle": 1800,
        },
        "DB_POOL_SIZE": _int(env, "DB_POOL_SIZE", 10),
        "DB_POOL_TIMEOUT_S": _float(env, "DB_POOL_TIMEOUT_S", 3.0),
        "DB_STATEMENT_TIMEOUT_MS": _int(env, "DB_STATEMENT_TIMEOUT_MS", 5000),
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=_int(env, "ACCESS_TOKEN_MINUTES", 15)),
        "JWT_REFRESH_TOKEN_EXPIRES": timedelta(days=_int(env, "REFRESH_TOKEN_DAYS", 30)),
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST_KIB": _int(env, "ARGON2_MEMORY_COST_KIB", 65536),
        "ACCESS_LOG": _bool(env, "ACCESS_LOG", True),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "PROXY_FIX_HOPS": _int(env, "PROXY_FIX_HOPS", 1),
        "CORS_ORIGINS": _list(env, "CORS_ORIGINS", []),
        "TRUSTED_PROXIES": _networks(env, "TRUSTED_PROXIES", ["127.0.0.1", "::1"]),
        "ALLOWED_HOSTS": _list(env, "ALLOWED_HOSTS", []),
        "PRICE_CURRENCY": _currency(env, "PRICE_CURRENCY", "AUD"),
        "CINEMAWORLD_URL": env.get("CINEMAWORLD_URL", f"{SIMULATOR_URL}/api/cinemaworld"),
        "FILMWORLD_URL": env.get("FILMWORLD_URL", f"{SIMULATOR_URL}/api/filmworld"),
        "PROVIDER_API_TOKEN": env.get("PROVIDER_API_TOKEN") or None,
        "PRICE_DEADLINE_S": _float(env, "PRICE_DEADLINE_S", 10.0),
        "PRICE_FETCH_TIMEOUT_S": _float(env, "PRICE_FETCH_TIMEOUT_S", 2.0),
        "PRICE_MAX_AGE_S": _float(env, "PRICE_MAX_AGE_S", 150.0),
        "PRICE_REFRESH_S": _float(env, "PRICE_REFRESH_S", 60.0),
        "PRICE_DETAIL_CONCURRENCY": _int(env, "PRICE_DETAIL_CONCURRENCY", 8),
        "MOVIE_LIST_URL": env.get("MOVIE_LIST_URL", f"{SIMULATOR_URL}/api/v1/maya/movies/"),
        "MOVIE_LIST_USERNAME": env.get("MOVIE_LIST_USERNAME") or None,
        "MOVIE_LIST_PASSWORD": env.get("MOVIE_LIST_PASSWORD") or None,
        "MOVIE_LIST_DEADLINE_S": _float(env, "MOVIE_LIST_DEADLINE_S", 5.0),
        "QUEUE_URL": env.get("QUEUE_URL") or f"sqlite:///{instance / 'queue.db'}",
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _bool(env, "RATELIMIT_ENABLED", True),
        "RATELIMIT_DEFAULT": env.get("RATELIMIT_DEFAULT") or "600 per minute",
        "RATELIMIT_AUTH": env.get("RATELIMIT_AUTH") or "10 per minute",
        "RATELIMIT_ADDRESS": env.get("RATELIMIT_ADDRESS") or "1200 per minute",
        "EXPORT_DIR": env.get("EXPORT_DIR") or str(instance / "exports"),
        **export_settings(env),
        "METRICS_TOKEN": env.get("METRICS_TOKEN") or None,
        "REQUEST_COUNTER_ENABLED": _bool(env, "REQUEST_COUNTER_ENABLED", True),
        "REQUEST_COUNTER_SLOTS": _int(env, "REQUEST_COUNTER_SLOTS", 32),
        "REQUEST_COUNTER_POOL_SIZE": _int(env, "REQUEST_COUNTER_POOL_SIZE", 4),
        "REQUEST_COUNTER_TIMEOUT_MS": _int(env, "REQUEST_COUNTER_TIMEOUT_MS", 2000),
        "REQUEST_COUNTER_DURABLE": _bool(env, "REQUEST_COUNTER_DURABLE", True),
        **read_cache_settings(env),
    }


def read_cache_settings(env: Mapping[str, str]) -> dict[str, Any]:
    """Each worker process's read cache (src/caching.py): its bounds; 0 keeps nothing."""
    return {
        "READ_CACHE_MAX_ENTRIES": _bounded(env, "READ_CACHE_MAX_ENTRIES", 2048, 0, 10_000_000),
        "READ_CACHE_MAX_BYTES": _bounded(env, "READ_CACHE_MAX_BYTES", 16 * 2**20, 0, 2**40),
    }


def apply_development_defaults(settings: dict[str, Any]) -> None:
    """Fill the secrets a developer need not set; production must set its own."""
    if settings["APP_ENV"] == "production":
        return
    settings["SECRET_KEY"] = settings["SECRET_KEY"] or DEV_SECRET_KEY
    settings["JWT_SECRET_KEY"] = settings["JWT_SECRET_KEY"] or DEV_JWT_SECRET_KEY
    settings["PROVIDER_API_TOKEN"] = settings["PROVIDER_API_TOKEN"] or DEV_PROVIDER_TOKEN
    settings["MOVIE_LIST_USERNAME"] = settings["MOVIE_LIST_USERNAME"] or DEV_MOVIE_LIST_USERNAME
    settings["MOVIE_LIST_PASSWORD"] = settings["MOVIE_LIST_PASSWORD"] or DEV_MOVIE_LIST_PASSWORD
    settings["ALLOWED_HOSTS"] = settings["ALLOWED_HOSTS"] or list(DEV_ALLOWED_HOSTS)
