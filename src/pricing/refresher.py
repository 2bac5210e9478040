"""Per-process refresh machinery: thread pools made on first use (so after gunicorn's fork),
and at most one fetch in flight per provider, which later requests join.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial

from flask import Flask

from src.clients.providers import PROVIDERS, provider_client
from src.pricing.fetching import FetchOutcome, fetch_provider

log = logging.getLogger(__name__)
_EXTENSION = "pricing.refresher"
_create_lock = threading.Lock()

Store = Callable[[FetchOutcome], None]


@dataclass(frozen=True)
class _Flight:
    future: Future[FetchOutcome]
    answer_by: float  # time.monotonic() at which the request that started it answers


class PriceRefresher:
    """Fetches providers in worker threads and stores what they learn, even after the
    request that asked has answered."""

    def __init__(self, app: Flask, *, store: Store) -> None:
        self.app = app
        self.pid = os.getpid()
        self._store = store
        self._fetches = ThreadPoolExecutor(len(PROVIDERS) * 2, thread_name_prefix="price-fetch")
        concurrency = max(1, app.config["PRICE_DETAIL_CONCURRENCY"])
        self._details = {
            provider: ThreadPoolExecutor(concurrency, thread_name_prefix=f"price-{provider}")
            for provider in PROVIDERS
        }
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}

    def refresh(
        self, providers: Iterable[str], *, answer_by: float, waiting_for: Collection[str]
    ) -> None:
        """Fetch the providers, joining fetches in flight; wait for those in waiting_for
        until answer_by at most.

        A fetch joined late is waited for only until its starter's answer was due, so that
        a hanging provider costs each fetch one deadline, not one per request."""
        flights = {provider: self._flight(provider, answer_by) for provider in providers}
        for provider, flight in flights.items():
            if provider in waiting_for:
                until = min(answer_by, flight.answer_by)
                wait([flight.future], timeout=max(0.0, until - time.monotonic()))

    def drain(self, timeout_s: float) -> bool:
        """Wait for every fetch in flight; True when none is left."""
        with self._lock:
            futures = [flight.future for flight in self._flights.values()]
        return not wait(futures, timeout=timeout_s).not_done

    def _flight(self, provider: str, answer_by: float) -> _Flight:
        with self._lock:
            flight = self._flights.get(provider)
            if flight is not None:
                return flight
            flight = _Flight(self._fetches.submit(self._fetch_and_store, provider), answer_by)
            self._flights[provider] = flight
        flight.future.add_done_callback(partial(self._landed, provider, flight))
        return flight

    def _fetch_and_store(self, provider: str) -> FetchOutcome:
        with self.app.app_context():  # its own database session, removed at the end
            outcome = fetch_provider(
                client=provider_client(provider),
                details_pool=self._details[provider],
                budget_s=self.app.config["PRICE_FETCH_TIMEOUT_S"],
            )
            if not outcome.paused:
                self._store(outcome)
        return outcome

    def _landed(self, provider: str, flight: _Flight, future: Future[FetchOutcome]) -> None:
        with self._lock:
            if self._flights.get(provider) is flight:
                del self._flights[provider]
        error = None if future.cancelled() else future.exception()
        if error is not None:
            log.error("fetching %s's prices failed", provider, exc_info=error)


def refresher_for(app: Flask, *, store: Store) -> PriceRefresher:
    """The app's refresher in this process (a forked child makes its own)."""
    refresher = app.extensions.get(_EXTENSION)
    if refresher is not None and refresher.pid == os.getpid():
        return refresher
    with _create_lock:
        refresher = app.extensions.get(_EXTENSION)
        if refresher is None or refresher.pid != os.getpid():
            refresher = app.extensions[_EXTENSION] = PriceRefresher(app, store=store)
    return refresher
