"""How fresh the prices are, for /metrics: read from the database at scrape time.

The refresh runs in a worker process, often on another host or pod, whose own metrics no
web process exposes; and an age set when a refresh ends would stop growing exactly when
refreshes stop. So every scrape reads the providers' last successes and the refresh counts
the refreshes stored, wherever they ran."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy.exc import SQLAlchemyError

from src.clients.providers import PROVIDERS
from src.columns import utcnow
from src.extensions import db
from src.pricing import repository

log = logging.getLogger(__name__)


class PriceFreshnessCollector:
    """price_provider_last_success_age_seconds and price_refreshes_total, from the database."""

    def collect(self) -> Iterator[Metric]:
        try:
            successes = repository.last_successes()
            counts = repository.outcome_counts()
        except SQLAlchemyError:
            db.session.rollback()
            log.warning("price freshness unknown: the database does not answer", exc_info=True)
            return
        ages = GaugeMetricFamily(
            "price_provider_last_success_age_seconds",
            "Seconds since each provider's prices were last fetched well (+Inf: never)",
            labels=["provider"],
        )
        now = utcnow()
        for provider in PROVIDERS:
            success = successes.get(provider)
            age = math.inf if success is None else (now - success).total_seconds()
            ages.add_metric([provider], age)
        yield ages
        refreshes = CounterMetricFamily(
            "price_refreshes",
            "Price refreshes stored, by provider and outcome (ok, partial, failed, paused)",
            labels=["provider", "outcome"],
        )
        for (provider, outcome), count in sorted(counts.items()):
            refreshes.add_metric([provider, outcome], count)
        yield refreshes


def exposition() -> bytes:
    """The price freshness metrics in the Prometheus text format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(PriceFreshnessCollector())
    return generate_latest(registry)
