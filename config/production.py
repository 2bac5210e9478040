"""What production refuses at start: missing, weak, example or per-process settings."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from config.settings import (
    DEV_JWT_SECRET_KEY,
    DEV_MOVIE_LIST_PASSWORD,
    DEV_PROVIDER_TOKEN,
    DEV_SECRET_KEY,
    ConfigError,
)

# Production refuses these however they were set: the development values, and anything marked
# as a placeholder. The example files (.env.example, deploy/) mark every secret so, as the
# image need not hold them; tests/unit/test_example_secrets.py keeps each example refused.
PUBLIC_VALUES = frozenset(
    {DEV_SECRET_KEY, DEV_JWT_SECRET_KEY, DEV_PROVIDER_TOKEN, DEV_MOVIE_LIST_PASSWORD}
)
PLACEHOLDER_MARKERS = ("replace", "change-me", "changeme", "example", "placeholder")
KEY_MIN_LENGTH, KEY_MIN_DISTINCT = 32, 8
# Proxies are listed one by one or as their own subnet, never a whole network or cluster.
PROXY_MIN_PREFIX = {4: 24, 6: 64}


def _is_public(value: str) -> bool:
    lowered = value.lower()
    return value in PUBLIC_VALUES or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


_URL_SETTINGS = {
    "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "QUEUE_URL": "QUEUE_URL",
    "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
}


def _url_password(name: str, url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError as exc:
        raise ConfigError(f"{name} is not a valid URL") from exc


def _check_key(name: str, value: str | None) -> None:
    # Messages name the setting, never its value: they end up in logs.
    if not value:
        raise ConfigError(f"{name} is required when APP_ENV=production")
    if _is_public(value):
        raise ConfigError(f"{name} is an example or development value; generate a random one")
    if len(value) < KEY_MIN_LENGTH:
        raise ConfigError(f"{name} must be a random value of at least {KEY_MIN_LENGTH} characters")
    if len(set(value)) < KEY_MIN_DISTINCT:
        raise ConfigError(f"{name} must be random: at least {KEY_MIN_DISTINCT} distinct characters")


def _check_secrets(settings: Mapping[str, Any]) -> None:
    """Keys strong and distinct; credentials and URL passwords none of the known values."""
    keys = ("SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN")
    for index, name in enumerate(keys):
        _check_key(name, settings.get(name))
        for earlier in keys[:index]:
            if settings[name] == settings[earlier]:
                raise ConfigError(f"{name} must differ from {earlier}")
    for name in ("PROVIDER_API_TOKEN", "MOVIE_LIST_PASSWORD"):
        if settings.get(name) and _is_public(settings[name]):
            raise ConfigError(f"{name} is an example or development value; set the real one")
    for name, key in _URL_SETTINGS.items():
        password = _url_password(name, settings.get(key) or "")
        if password and _is_public(password):
            raise ConfigError(f"{name} holds an example password; set the real one")


def _check_rate_limit_storage(settings: Mapping[str, Any]) -> None:
    if settings.get("RATELIMIT_ENABLED") and settings["RATELIMIT_STORAGE_URI"].startswith(
        "memory://"
    ):
        raise ConfigError(
            "RATELIMIT_STORAGE_URI must be a store every process shares (redis://host:6379/N) "
            "when APP_ENV=production: memory:// (also the default when unset) counts per "
            "process, so every worker and host multiplies the limits"
        )


def _check_trusted_proxies(settings: Mapping[str, Any]) -> None:
    for entry in settings["TRUSTED_PROXIES"]:
        network = ipaddress.ip_network(entry, strict=False)
        if network.prefixlen < PROXY_MIN_PREFIX[network.version]:
            raise ConfigError(
                f"TRUSTED_PROXIES must list the proxies (addresses, or their own subnet of at "
                f"most /{PROXY_MIN_PREFIX[4]}, IPv6 /{PROXY_MIN_PREFIX[6]}), not {entry}: "
                "anyone else in it could pose as any client"
            )


def check_production(settings: Mapping[str, Any]) -> None:
    """Refuse to run production with missing, weak, example or per-process settings."""
    if settings["APP_ENV"] != "production":
        return
    _check_secrets(settings)
    _check_rate_limit_storage(settings)
    _check_trusted_proxies(settings)
    if settings.get("DEBUG"):
        raise ConfigError("DEBUG must be off when APP_ENV=production")
    if not settings.get("ALLOWED_HOSTS"):
        raise ConfigError("ALLOWED_HOSTS (the host names clients use) is required in production")
