"""Inbound request plumbing: allowed hosts, request ids, body policy, access log, proxy
headers."""

from __future__ import annotations

import inspect
import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from types import FunctionType, MethodType
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, current_app, g, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.middleware.proxy_fix import ProxyFix

from src.errors import ValidationFailed

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_BODY_METHODS = {"POST", "PUT", "PATCH"}
access_log = logging.getLogger("src.access")

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class ServiceApp(Flask):
    """Flask, asking each hook and view whether it is a coroutine function the quick way."""

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """As Flask's, which asks inspect.iscoroutinefunction some 13 times a request: a plain
        function or a method of one is looked at here (its code's flags, as inspect does);
        anything else goes to Flask's."""
        plain = func.__func__ if type(func) is MethodType else func
        if type(plain) is FunctionType and not plain.__code__.co_flags & inspect.CO_COROUTINE:
            return func
        return super().ensure_sync(func)


@lru_cache(maxsize=1024)  # a few names in practice; bounded whatever clients send
def host_name(host: str) -> str:
    """The name in a host value ("Example.org:8000", "[::1]:8000", "::1"): no port, no
    brackets, lower case, no trailing dot; an IP address in its canonical form."""
    if host.startswith("["):
        name = host[1 : host.find("]")]
    elif host.count(":") > 1:
        name = host  # a bare IPv6 address (in ALLOWED_HOSTS; werkzeug refuses it as a Host)
    else:
        name = host.partition(":")[0]
    name = name.lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(name))
    except ValueError:
        return name


@lru_cache(maxsize=16)  # one entry in practice: the setting's current value
def _allowed_names(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(host_name(entry) for entry in entries) - {""}


def _refuse_unknown_host() -> None:
    """Answer only for the names in ALLOWED_HOSTS: absolute links (next, Location,
    download_url) are built from the Host, or from a trusted proxy's X-Forwarded-Host,
    which TrustedProxyFix has put there. Any port is accepted."""
    allowed = _allowed_names(tuple(current_app.config["ALLOWED_HOSTS"]))
    if host_name(request.host) not in allowed:
        raise BadRequest("This service does not answer for that host name (ALLOWED_HOSTS).")


_REQUEST_ID_KEY = "HTTP_" + REQUEST_ID_HEADER.upper().replace("-", "_")  # as request.headers


def _assign_request_id() -> None:
    incoming = request.environ.get(_REQUEST_ID_KEY, "")
    g.request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    g.started_at = time.perf_counter()


def _has_body() -> bool:
    if request.content_length:
        return True
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _unstorable(text: str) -> bool:
    """NUL and unpaired surrogates: valid in JSON, but no database can store them."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable_field(value: Any, path: str) -> str | None:
    """The path of the first text in a JSON value that cannot be stored, if any."""
    if isinstance(value, str):
        return path if _unstorable(value) else None
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and _unstorable(key):
            return where
        found = _unstorable_field(item, where)
        if found:
            return found
    return None


def _refuse_unstorable_text(body: Any) -> None:
    found = _unstorable_field(body, "") or _unstorable_field(request.args.to_dict(), "")
    if found:
        raise ValidationFailed(
            "The request has text that cannot be stored.",
            errors={found: ["NUL characters and unpaired surrogates are not allowed."]},
        )


def _streamed_past(limit: int) -> bool:
    """Whether a body of undeclared length (chunked) goes on past the limit. werkzeug stops
    reading such a body at the limit and returns what it read as if it were all of it
    (then the JSON looks cut short: 400); one more byte from the raw input tells."""
    return len(request.get_data()) >= limit and request.input_stream.read(1) != b""


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(f"The request body is larger than {limit} bytes.")


def _enforce_body_policy() -> None:
    """Refuse early what no endpoint accepts: bodies too large, not JSON, or unstorable."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length
    if limit and length and length > limit:
        raise _too_large(limit)
    if request.method not in _BODY_METHODS or not _has_body():
        if request.environ.get("QUERY_STRING"):  # else no argument to look at
            _refuse_unstorable_text(None)
        return
    if not request.is_json:
        raise UnsupportedMediaType("Send the request body as application/json.")
    if limit and request.content_length is None and _streamed_past(limit):
        raise _too_large(limit)  # before get_json, which would call the cut body invalid
    try:
        body = request.get_json()  # parsed once here, cached for the view
    except (BadRequest, RecursionError) as exc:
        raise BadRequest("The request body is not valid JSON.") from exc
    _refuse_unstorable_text(body)


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    if current_app.config["ACCESS_LOG"]:
        started = g.get("started_at", time.perf_counter())
        access_log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "remote_addr": request.remote_addr,
            },
        )
    return response


class NoCookieSessions(SessionInterface):
    """The service keeps no cookie sessions (tokens say who calls): nothing to open per
    request. Flask's default would build a signing serializer on every request."""

    def open_session(self, app: Any, request: Any) -> None:
        return None  # Flask then gives the request a NullSession, which refuses writes

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        return None


_FORWARDED_HEADERS = tuple(
    f"HTTP_X_FORWARDED_{name}" for name in ("FOR", "PROTO", "HOST", "PORT", "PREFIX")
)


class TrustedProxyFix:
    """ProxyFix, but only for requests whose peer is a trusted proxy.

    A client that reaches gunicorn directly cannot pose as someone else, or as https,
    with its own X-Forwarded-* headers: those are dropped unless the peer is trusted.
    """

    def __init__(self, app: WSGIApplication, *, hops: int, trusted: Iterable[str]) -> None:
        self.inner = app
        self.trusted = tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)
        self.proxied = ProxyFix(
            app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
        # per peer address (the proxies, or the clients met lately), keyed by the address only
        self._is_trusted = lru_cache(maxsize=4096)(self._peer_trusted)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        if self._is_trusted(environ.get("REMOTE_ADDR", "")):
            return self.proxied(environ, start_response)
        for name in _FORWARDED_HEADERS:
            environ.pop(name, None)
        return self.inner(environ, start_response)

    def _peer_trusted(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False  # a Unix socket peer, or no peer: trust nothing
        return any(address in network for network in self.trusted)


def init_http(app: Flask) -> None:
    """Wire the request hooks and trust exactly the configured proxies."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, hops=hops, trusted=app.config["TRUSTED_PROXIES"]
        )
    app.session_interface = NoCookieSessions()
    app.before_request(_assign_request_id)
    app.before_request(_refuse_unknown_host)  # before any view or error builds a link
    app.after_request(_finish)


def init_body_policy(app: Flask) -> None:
    """Refuse early the bodies no endpoint accepts; wired after the access gate."""
    app.before_request(_enforce_body_policy)
