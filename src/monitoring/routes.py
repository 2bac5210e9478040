"""Prometheus metrics at /metrics, aggregated over gunicorn's workers (multiprocess mode
when PROMETHEUS_MULTIPROC_DIR is set, as gunicorn.conf.py does).

With METRICS_TOKEN set (production requires it) the scraper must send it as a bearer token:
the app guards its metrics itself, whatever proxy is or is not in front of it."""

from __future__ import annotations

import hmac
import os
import time
from functools import lru_cache
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess

from src.accounts.auth import own_credential
from src.errors import Unauthorized
from src.metrics import HTTP_LATENCY, HTTP_REQUESTS, scrape_readers
from src.pricing.freshness import exposition
from src.view_limits import not_rate_limited

bp = Blueprint("metrics", __name__)

# Any token is a valid HTTP method to werkzeug: a client inventing methods would otherwise
# add a labelled series per invention, for ever (the label caches below are bounded, the
# metric's series are not).
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route() -> str:
    # The URL rule, not the path, so that ids do not explode the label space.
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


@lru_cache(maxsize=4096)  # routes x methods x statuses: a few hundred at most
def _requests_of(method: str, route: str, status: int) -> Any:
    return HTTP_REQUESTS.labels(method, route, str(status))


@lru_cache(maxsize=1024)
def _latency_of(method: str, route: str) -> Any:
    return HTTP_LATENCY.labels(method, route)


def _observe(response: Response) -> Response:
    # The labelled children are looked up once per (method, route, status), not per request.
    started = g.get("started_at")
    method = request.method
    method = method if method in _KNOWN_METHODS else "OTHER"
    route = _route()
    _requests_of(method, route, response.status_code).inc()
    if started is not None:
        _latency_of(method, route).observe(time.perf_counter() - started)
    return response


def _require_metrics_token() -> None:
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return  # development: open (production refuses to start without a token)
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        presented.strip().encode(), expected.encode()
    ):
        raise Unauthorized(
            "The metrics need the METRICS_TOKEN as a bearer token.",
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )


@bp.get("/metrics")
@own_credential("METRICS_TOKEN")
@not_rate_limited
def metrics() -> Response:
    """Prometheus exposition of this service's metrics."""
    _require_metrics_token()
    for read in scrape_readers(current_app):
        read()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        payload = generate_latest(registry)
    else:
        payload = generate_latest()
    return Response(payload + _price_freshness(), mimetype=CONTENT_TYPE_LATEST)


def _price_freshness() -> bytes:
    # Read from the database at scrape time: the worker that refreshes is another process.
    return exposition()


def init_metrics(app: Flask) -> None:
    app.after_request(_observe)
    app.register_blueprint(bp)
