"""The one place that counts requests: a WSGI layer around the whole app."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask

from src.counter.store import CounterStore, CounterUnavailable, note_failed_increment
from src.direct_reads import direct_connections
from src.http import REQUEST_ID_HEADER

log = logging.getLogger(__name__)


class CountingMiddleware:
    """Counts every request the wrapped app answers, whatever its path or status.

    The count goes up once the app has answered and before the response is sent: a reading of
    the count does not include its own request, and a client that got its answer is counted.
    """

    def __init__(self, app: WSGIApplication, store: CounterStore) -> None:
        self.app = app
        self.store = store

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answered: list[list[tuple[str, str]]] = []

        def remember_headers(status: str, headers: list[tuple[str, str]], *args: Any) -> Any:
            answered.append(headers)  # searched for the request id only if counting fails
            return start_response(status, headers, *args)

        try:
            return self.app(environ, remember_headers)
        finally:
            try:
                self.store.increment()
            except CounterUnavailable as exc:
                _log_loss(exc, answered[-1] if answered else [])


def _log_loss(exc: CounterUnavailable, headers: list[tuple[str, str]]) -> None:
    # The request is served all the same; the operator sees the loss here and in /metrics.
    note_failed_increment()
    cause = exc.__cause__ or exc
    wanted = REQUEST_ID_HEADER.lower()
    log.warning(
        "request not counted",
        extra={
            "request_id": next((value for name, value in headers if name.lower() == wanted), None),
            "error": type(cause).__name__,
            "detail": (str(cause).strip().splitlines() or [""])[0],
        },
    )


def install_counter(app: Flask) -> None:
    """Wrap the app (call last, so that every other WSGI layer is inside) when counting is on."""
    if not app.config["REQUEST_COUNTER_ENABLED"]:
        return
    store = CounterStore(
        url=app.config["SQLALCHEMY_DATABASE_URI"],
        slots=app.config["REQUEST_COUNTER_SLOTS"],
        pool_size=app.config["REQUEST_COUNTER_POOL_SIZE"],
        timeout_ms=app.config["REQUEST_COUNTER_TIMEOUT_MS"],
        durable=app.config["REQUEST_COUNTER_DURABLE"],
        connections=direct_connections(app),  # the token checks': one connection a thread
    )
    app.wsgi_app = CountingMiddleware(app.wsgi_app, store)  # type: ignore[method-assign]
