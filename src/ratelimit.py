"""Rate limits. Every request counts against its client address (RATELIMIT_ADDRESS), checked
before the token gate so that 401s, 404s and public pages count too; login and register are
also limited per address (RATELIMIT_AUTH) and the rest of the API per user (RATELIMIT_DEFAULT,
flask-limiter). Answers announce the limit nearest to running out (X-RateLimit-*); only a 429
of a limit gets its Retry-After. A failing store never fails a request: it is served
unlimited, logged and counted in /metrics. Counts are shared only through Redis storage
(RATELIMIT_STORAGE_URI): with memory:// each process keeps its own."""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import Flask, Response, after_this_request, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from config import ConfigError
from src.accounts.auth import verified_principal
from src.errors import AppError
from src.metrics import RATE_LIMIT_STORE_FAILURES

NAMESPACE = "movie-service"
STORE_TIMEOUT_S = 0.5  # a Redis that hangs delays a request by this much per check, no more
# Probes and the scraper must not be starved by a flood from their address.
EXEMPT_ENDPOINTS = ("health.healthz", "health.readyz", "metrics.metrics")
# Where a password is checked: guesses, with a stolen token for /password/, are held back.
_PER_ADDRESS_ENDPOINTS = ("accounts.login", "accounts.register", "accounts.change_password")
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
_EXTENSION = "movie_rate_limits"
# RuntimeError: limits' memory storage restarting its expiry timer from two threads at once
# ("threads can only be started once"); fixed upstream after limits 5.8.0, not yet released.
STORE_ERRORS = (StorageError, RuntimeError)

log = logging.getLogger(__name__)


class AddressLimitExceeded(AppError):
    status, title = 429, "Too Many Requests"


@dataclass(frozen=True)
class Window:
    """Where one limit stands for this request's client."""

    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    breached: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }

    def retry_after(self) -> str:
        return str(max(1, math.ceil(self.reset_at - time.time())))


def client_key() -> str:
    """The client address; an IPv6 client by its /64, what one host or subscriber is given."""
    remote = request.remote_addr or ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return remote or "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def user_or_address() -> str:
    """The verified token's user when the auth gate saw one, else the client address."""
    caller = verified_principal()
    return f"user:{caller.id}" if caller else f"addr:{client_key()}"


def store_failed(check: str, error: BaseException | None) -> None:
    """A limit could not be checked: the request goes on unlimited, and operators see it."""
    RATE_LIMIT_STORE_FAILURES.labels(check).inc()
    log.warning(
        "rate limit store failed; request not limited",
        extra={"check": check, "error": repr(error)},
    )


def store_options(storage_uri: str) -> dict[str, Any]:
    """Store errors as StorageError; a Redis that does not answer gives up quickly."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    if storage_uri.startswith(_REDIS_SCHEMES):
        options |= {"socket_connect_timeout": STORE_TIMEOUT_S, "socket_timeout": STORE_TIMEOUT_S}
    return options


class _SwallowedStoreErrors(logging.Handler):
    """flask-limiter (swallow_errors) logs each store error it swallows: count and report it."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            store_failed("view", record.exc_info[1])


class RateLimits:
    """One app's address limit and its per-view limiter (flask-limiter, once initialised)."""

    def __init__(self, *, address_limit: RateLimitItem, storage_uri: str) -> None:
        self.address_limit = address_limit
        storage = storage_from_string(storage_uri, **store_options(storage_uri))
        self.counter = FixedWindowRateLimiter(storage)
        self.views: Limiter | None = None

    def check_address(self) -> None:
        """Count this request against its address; 429 once the address is over its limit."""
        if request.endpoint in EXEMPT_ENDPOINTS:
            return
        window = self._hit_address()
        after_this_request(partial(self._announce, window))
        if window is not None and window.breached:
            raise AddressLimitExceeded(
                f"Too many requests from this address: {self.address_limit}; retry later."
            )

    def _hit_address(self) -> Window | None:
        keys = (NAMESPACE, "address", client_key())
        try:
            allowed = self.counter.hit(self.address_limit, *keys)
            reset_at, remaining = self.counter.get_window_stats(self.address_limit, *keys)
        except STORE_ERRORS as error:
            store_failed("address", error)
            return None
        return Window(self.address_limit.amount, remaining, reset_at, breached=not allowed)

    def _view_window(self) -> Window | None:
        current = self.views.current_limit if self.views else None
        if current is None:
            return None
        try:
            reset_at, remaining = current.window
        except STORE_ERRORS as error:
            store_failed("view", error)
            return None
        return Window(current.limit.amount, remaining, reset_at, current.breached)

    def _announce(self, address: Window | None, response: Response) -> Response:
        windows = [window for window in (address, self._view_window()) if window is not None]
        if not windows:
            return response
        nearest = min(windows, key=lambda w: (not w.breached, w.remaining, w.limit))
        response.headers.update(nearest.headers())
        if nearest.breached and response.status_code == 429:
            response.headers["Retry-After"] = nearest.retry_after()
        return response


def rate_limits(app: Flask) -> RateLimits | None:
    """This app's rate limits; None when they are off."""
    found: RateLimits | None = app.extensions.get(_EXTENSION)
    return found


def _address_limit(text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(
            f"RATELIMIT_ADDRESS must be like '1200 per minute', got {text!r}"
        ) from exc


def init_address_limit(app: Flask) -> None:
    """The per-address check: call before the token gate's hook is registered."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limits = RateLimits(
        address_limit=_address_limit(app.config["RATELIMIT_ADDRESS"]),
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
    )
    app.extensions[_EXTENSION] = limits
    app.before_request(limits.check_address)


def _report_swallowed_errors() -> None:
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(handler, _SwallowedStoreErrors) for handler in limiter_log.handlers):
        limiter_log.addHandler(_SwallowedStoreErrors(level=logging.ERROR))


def init_rate_limits(app: Flask) -> None:
    """The per-view limits (after the auth gate and the blueprints, so users are known)."""
    limits = rate_limits(app)
    if limits is None:
        return
    storage_uri = app.config["RATELIMIT_STORAGE_URI"]
    limiter = Limiter(
        key_func=user_or_address,
        default_limits=[app.config["RATELIMIT_DEFAULT"]],
        storage_uri=storage_uri,
        storage_options=store_options(storage_uri),
        headers_enabled=False,  # announced by RateLimits, which keeps others' Retry-After
        swallow_errors=True,
        key_prefix=NAMESPACE,
    )
    limiter.init_app(app)
    _report_swallowed_errors()
    per_address = limiter.limit(app.config["RATELIMIT_AUTH"], key_func=client_key)
    views: dict[str, Any] = app.view_functions
    for endpoint in _PER_ADDRESS_ENDPOINTS:
        views[endpoint] = per_address(views[endpoint])
    for endpoint in EXEMPT_ENDPOINTS:
        views[endpoint] = limiter.exempt(views[endpoint])
    limits.views = limiter
