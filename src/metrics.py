"""The service's Prometheus metrics: the objects that code counts with, and what the /metrics
endpoint reads at scrape time. Imports nothing of src, so that any layer may count."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "http_requests_total", "Requests served, by route and status", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
UPSTREAM_CALLS = Counter(
    "upstream_calls_total", "Calls to upstream services, by outcome", ["upstream", "outcome"]
)
COUNTER_FAILURES = Counter(
    "request_counter_failures_total", "Requests the request counter could not record"
)
RATE_LIMIT_STORE_FAILURES = Counter(
    "rate_limit_store_failures_total",
    "Rate limit checks the limiter store failed; their requests were served unlimited",
    ["check"],
)
_SCRAPE_READERS = "metrics_scrape_readers"


def read_at_scrape(app: Flask, reader: Callable[[], None]) -> None:
    """Call reader before each scrape of this app's /metrics (a gauge read from elsewhere)."""
    app.extensions.setdefault(_SCRAPE_READERS, []).append(reader)


def scrape_readers(app: Flask) -> list[Callable[[], None]]:
    """What read_at_scrape registered for this app."""
    readers: list[Callable[[], None]] = app.extensions.get(_SCRAPE_READERS, [])
    return readers
