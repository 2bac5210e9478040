"""Rate limits. Every request counts against its client address (RATELIMIT_ADDRESS), from
before the token gate on, so that 401s, 404s and public pages count too; then each routed
view, counted apart, by what it declares: `@limit_per_address(setting=...)` per client address
(login, register and the password change: RATELIMIT_AUTH), `@not_rate_limited` neither limit
(probes, the scraper), and a view that declares nothing per user, or per address without a
token (RATELIMIT_DEFAULT).

Both limits of a request are counted in one round trip to the store (src/limit_counts.py),
once the caller is known: after the token gate and the body policy, the address first, so a
request over its address limit does not count against its view's. A request answered in
between (the gate's 401/403, the body policy's 400/413/415) counts against its address alone,
as it is answered, and is a 429 instead when the address is over. Answers announce the limit
nearest to running out (X-RateLimit-*); only a 429 of a limit gets its Retry-After. A failing
store never fails a request: it is served unlimited, logged and counted in /metrics. Counts
are shared only through Redis storage (RATELIMIT_STORAGE_URI): with memory:// each process
keeps its own."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from functools import lru_cache

from flask import Flask, Response, after_this_request, g, request
from limits import RateLimitItem, parse

from config import ConfigError
from src.accounts.auth import verified_principal
from src.errors import AppError, handle_app_error
from src.limit_counts import STORE_ERRORS, Hit, LimitCounts, Window
from src.metrics import RATE_LIMIT_STORE_FAILURES
from src.view_limits import ViewLimit, limit_of

# Flask's own view of the static files, not ours to decorate: its requests count against the
# address limit, as every request does, and against no view limit.
FLASK_STATIC_VIEW = "static"
_EXTENSION = "movie_rate_limits"
_THIS_REQUEST = "rate_limits_of_this_request"  # in `g`, read and written only here

log = logging.getLogger(__name__)


class LimitExceeded(AppError):
    status, title = 429, "Too Many Requests"


def client_key() -> str:
    """The client address; an IPv6 client by its /64, what one host or subscriber is given."""
    return _key_of_address(request.remote_addr or "")


@lru_cache(maxsize=4096)  # per client address met lately
def _key_of_address(remote: str) -> str:
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


def _refusal(hit: Hit) -> LimitExceeded:
    if hit.check == "address":
        return LimitExceeded(f"Too many requests from this address: {hit.limit}; retry later.")
    return LimitExceeded(f"Too many requests: {hit.limit}; retry later.")


@dataclass
class _RequestLimits:
    """This request's limits between the two hooks: the address hit, known before the token
    gate; the windows counted once the view's own hit is known too."""

    address: Hit
    counted: bool = False
    windows: list[Window] = field(default_factory=list)


class RateLimits:
    """One app's limits: the address hit noted before the token gate, counted together with the
    view's hit (per caller, so after the gate) in one round trip to the store."""

    def __init__(self, *, address_limit: RateLimitItem, storage_uri: str) -> None:
        self.address_limit = address_limit
        self.counts = LimitCounts(storage_uri)
        self.view_limits: dict[
            str, tuple[RateLimitItem, bool]
        ] = {}  # endpoint: (limit, per address)
        self.not_address_limited: set[str] = set()  # endpoints

    def note_address(self) -> None:
        """Before the token gate: this request counts against its address, whatever answers
        it. Counted with the view's limit (check), or alone when a hook in between (the gate,
        the body policy) answered first."""
        if request.endpoint in self.not_address_limited:
            return
        noted = _RequestLimits(Hit("address", self.address_limit, ("address", client_key())))
        setattr(g, _THIS_REQUEST, noted)
        after_this_request(lambda response: self._finish(noted, response))

    def check(self) -> None:
        """After the gate and the body policy: count the address and the view's limit in one
        round trip, the address first (a request over it does not count against the view);
        429 when either is over."""
        noted: _RequestLimits | None = g.get(_THIS_REQUEST)
        hits = [noted.address] if noted is not None else []
        endpoint = request.endpoint
        declared = self.view_limits.get(endpoint or "")
        if declared is not None:
            limit, per_address = declared
            caller = f"addr:{client_key()}" if per_address else user_or_address()
            hits.append(Hit("view", limit, ("view", str(endpoint), caller)))
        if noted is not None:
            noted.counted = True
        windows = self._count(hits)
        if noted is not None:
            noted.windows = windows
        self._refuse_if_over(hits, windows)

    def _count(self, hits: list[Hit]) -> list[Window]:
        if not hits:
            return []
        try:
            return self.counts.count(hits)
        except STORE_ERRORS as error:
            for hit in hits:
                store_failed(hit.check, error)
            return []

    @staticmethod
    def _refuse_if_over(hits: list[Hit], windows: list[Window]) -> None:
        for hit, window in zip(hits, windows, strict=False):
            if window.breached:
                raise _refusal(hit)

    def _finish(self, noted: _RequestLimits, response: Response) -> Response:
        if not noted.counted:  # answered before check: the address alone, and over it a 429
            noted.counted = True
            noted.windows = self._count([noted.address])
            if noted.windows and noted.windows[0].breached:
                response = handle_app_error(_refusal(noted.address))
        return self._announce(noted.windows, response)

    @staticmethod
    def _announce(windows: list[Window], response: Response) -> Response:
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
    """The per-address limit: call before the token gate's hook is registered (every request
    that passes the Host check counts against its address, the gate's 401s too)."""
    if not app.config["RATELIMIT_ENABLED"]:
        return
    limits = RateLimits(
        address_limit=_limit("RATELIMIT_ADDRESS", app.config["RATELIMIT_ADDRESS"]),
        storage_uri=app.config["RATELIMIT_STORAGE_URI"],
    )
    app.extensions[_EXTENSION] = limits
    app.before_request(limits.note_address)


def init_rate_limits(app: Flask) -> None:
    """The per-view limits, as each view declares them: call after the token gate and the
    blueprints (users are known, every view is routed), so that the one count of both limits
    runs after the gate and the body policy."""
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
    app.before_request(limits.check)


def _setting(app: Flask, name: str) -> RateLimitItem:
    """The limit a view's declaration names, from the app's settings."""
    text = app.config.get(name)
    if not isinstance(text, str):
        raise ConfigError(f"a view is limited by {name}, which is not set")
    return _limit(name, text)
