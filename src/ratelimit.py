"""Rate limits (flask-limiter): login and register per client address, the rest of the
API per user (per address when there is no token). 429 answers are problem+json with
Retry-After. Use Redis storage (RATELIMIT_STORAGE_URI) when several processes serve."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_jwt_extended import get_jwt_identity
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

_PER_ADDRESS_ENDPOINTS = ("accounts.login", "accounts.register")
_EXEMPT_ENDPOINTS = ("health.healthz", "health.readyz", "metrics.metrics")


def user_or_address() -> str:
    """The verified token's user when the auth gate saw one, else the client address."""
    try:
        identity = get_jwt_identity()
    except RuntimeError:  # no token was verified for this request
        identity = None
    return f"user:{identity}" if identity else f"addr:{request.remote_addr}"


def init_rate_limits(app: Flask) -> None:
    """Attach a limiter to this app (after the auth gate, so users are known)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limiter = Limiter(
        key_func=user_or_address,
        default_limits=[app.config["RATELIMIT_DEFAULT"]],
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
        headers_enabled=True,
        retry_after="delta-seconds",
        key_prefix="movie-service",
    )
    limiter.init_app(app)
    per_address = limiter.limit(app.config["RATELIMIT_AUTH"], key_func=get_remote_address)
    views: dict[str, Any] = app.view_functions
    for endpoint in _PER_ADDRESS_ENDPOINTS:
        views[endpoint] = per_address(views[endpoint])
    for endpoint in _EXEMPT_ENDPOINTS:
        views[endpoint] = limiter.exempt(views[endpoint])
    app.extensions["movie_limiter"] = limiter
