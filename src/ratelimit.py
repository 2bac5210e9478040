"""Rate limits. Every request counts against its client address (RATELIMIT_ADDRESS), checked
before the token gate so that 401s, 404s and public pages count too; then each routed view,
counted apart, by what it declares: `@limit_per_address(setting=...)` per client address (login,
register and the password change: RATELIMIT_AUTH), `@not_rate_limited` neither limit (probes,
the scraper), and a view that declares nothing per user, or per address without a token
(RATELIMIT_DEFAULT). Each check is one store round
trip: fixed windows aligned to the clock, so the window's end is known without asking. Answers
announce the limit nearest to running out (X-RateLimit-*); only a 429 of a limit gets its
Retry-After. A failing store never fails a request: it is served unlimited, logged and counted
in /metrics. Counts are shared only through Redis storage (RATELIMIT_STORAGE_URI): with
memory:// each process keeps its own."""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, after_this_request, g, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

from config import ConfigError
from src.accounts.auth import verified_principal
from src.errors import AppError
from src.metrics import RATE_LIMIT_STORE_FAILURES
from src.view_limits import ViewLimit, limit_of

NAMESPACE = "movie-service"
STORE_TIMEOUT_S = 0.5  # a Redis that hangs delays a request by this much per check, no more
# Flask's own view of the static files, not ours to decorate: its requests count against the
# address limit, as every request does, and against no view limit.
FLASK_STATIC_VIEW = "static"
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
_EXTENSION = "movie_rate_limits"
# RuntimeError: limits' memory storage restarting its expiry timer from two threads at once
# ("threads can only be started once"); fixed upstream after limits 5.8.0, not yet released.
STORE_ERRORS = (StorageError, RuntimeError)

log = logging.getLogger(__name__)


class LimitExceeded(AppError):
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


def hit(storage: Storage, limit: RateLimitItem, *key: str) -> Window:
    """Count one hit in the limit's current window: one round trip (INCR, and EXPIRE on the
    window's first hit). Windows are aligned to the clock, the same on every host."""
    period = limit.get_expiry()
    now = time.time()
    start = now - now % period
    name = "/".join((NAMESPACE, *key, f"{limit.amount}-{period}-{int(start)}"))
    count = storage.incr(name, max(1, math.ceil(start + period - now)))
    remaining = max(0, limit.amount - count)
    return Window(limit.amount, remaining, start + period, breached=count > limit.amount)


class RateLimits:
    """One app's limits: per address on every request, then per view once the caller is known."""

    def __init__(self, *, address_limit: RateLimitItem, storage_uri: str) -> None:
        self.address_limit = address_limit
        storage = storage_from_string(storage_uri, **store_options(storage_uri))
        if not isinstance(storage, Storage):
            raise ConfigError(f"RATELIMIT_STORAGE_URI names an asyncio store: {storage_uri!r}")
        self.storage = storage
        self.view_limits: dict[
            str, tuple[RateLimitItem, bool]
        ] = {}  # endpoint: (limit, per address)
        self.not_address_limited: set[str] = set()  # endpoints

    def check_address(self) -> None:
        """Count this request against its address; 429 once the address is over its limit."""
        if request.endpoint in self.not_address_limited:
            return
        window = self._hit("address", self.address_limit, "address", client_key())
        # Announced once the answer is made; the view's check (same object, a later hook of
        # this request) adds its own window to the list.
        windows = g.rate_limit_windows = [window]
        after_this_request(lambda response: self._announce(windows, response))
        if window is not None and window.breached:
            raise LimitExceeded(
                f"Too many requests from this address: {self.address_limit}; retry later."
            )

    def check_view(self) -> None:
        """Count this request against its view's limit, per caller (after the token gate)."""
        declared = self.view_limits.get(request.endpoint or "")
        if declared is None:
            return
        limit, per_address = declared
        caller = f"addr:{client_key()}" if per_address else user_or_address()
        window = self._hit("view", limit, "view", str(request.endpoint), caller)
        windows: list[Window | None] | None = g.get("rate_limit_windows")
        if windows is not None:
            windows.append(window)
        if window is not None and window.breached:
            raise LimitExceeded(f"Too many requests: {limit}; retry later.")

    def _hit(self, check: str, limit: RateLimitItem, *key: str) -> Window | None:
        try:
            return hit(self.storage, limit, *key)
        except STORE_ERRORS as error:
            store_failed(check, error)
            return None

    @staticmethod
    def _announce(found: list[Window | None], response: Response) -> Response:
        windows = [window for window in found if window is not None]
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


def _limit(name: str, text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError as exc:
        raise ConfigError(f"{name} must be like '1200 per minute', got {text!r}") from exc


def init_address_limit(app: Flask) -> None:
    """The per-address check: call before the token gate's hook is registered."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limits = RateLimits(
        address_limit=_limit("RATELIMIT_ADDRESS", app.config["RATELIMIT_ADDRESS"]),
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
    )
    app.extensions[_EXTENSION] = limits
    app.before_request(limits.check_address)


def init_rate_limits(app: Flask) -> None:
    """The per-view limits, as each view declares them: call after the token gate and the
    blueprints (users are known, every view is routed), so that the view check runs after the
    gate and the body policy."""
    limits = rate_limits(app)
    if limits is None:
        return
    for endpoint, view in app.view_functions.items():
        declared = ViewLimit(None) if endpoint == FLASK_STATIC_VIEW else limit_of(view)
        if not declared.address_limited:
            limits.not_address_limited.add(endpoint)
        if declared.setting is not None:
            limit = _setting(app, declared.setting)
            limits.view_limits[endpoint] = (limit, declared.per_address)
    app.before_request(limits.check_view)


def _setting(app: Flask, name: str) -> RateLimitItem:
    """The limit a view's declaration names, from the app's settings."""
    text = app.config.get(name)
    if not isinstance(text, str):
        raise ConfigError(f"a view is limited by {name}, which is not set")
    return _limit(name, text)
