"""Price comparison rules: answer from the stored offers, refreshed within the deadline."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from flask import Flask, current_app

from src.clients.outbound import outbound_deadline
from src.clients.provider_records import ProviderMovie, provider_record
from src.clients.providers import PROVIDERS, provider_client
from src.columns import utcnow
from src.database import release_connection
from src.errors import NotFound, UpstreamUnavailable
from src.extensions import db
from src.pricing import comparison, repository
from src.pricing.comparison import PriceBoard, PricedMovie, ProviderState
from src.pricing.fetching import FetchOutcome
from src.pricing.models import ProviderStatus
from src.pricing.refresher import PriceRefresher, refresher_for

# Time kept back from the deadline to read the database and write the answer (on a busy CPU).
ANSWER_MARGIN_S = 0.1
_MOVIES_CACHE = "pricing.movies"


def price_board() -> PriceBoard:
    """Every movie either provider sells, with the cheapest offer and each provider's state."""
    statuses, states = _current_states()
    return PriceBoard(movies=_all_movies(statuses), providers=states)


def priced_movie(*, movie_id: str) -> tuple[PricedMovie, dict[str, ProviderState]]:
    """One movie with its offers and details, and each provider's state; NotFound if none
    sells it."""
    _, states = _current_states()
    movies = comparison.priced_movies(repository.offers(movie_id=movie_id))
    if not movies:
        raise NotFound(f"No provider sells a movie with id {movie_id}.")
    return movies[0], states


def add_provider_movie(*, provider: str, movie: dict[str, Any]) -> ProviderMovie:
    """Forward a movie (snake_case fields) to a provider; the record as it stored it."""
    if provider not in PROVIDERS:
        raise NotFound(f"No provider named {provider}; known: {', '.join(PROVIDERS)}.")
    release_connection()
    with outbound_deadline(current_app.config["PRICE_DEADLINE_S"]):
        return provider_client(provider).add_movie(provider_record(provider, movie))


def refresh_all_prices(*, timeout_s: float | None = None) -> dict[str, ProviderState]:
    """Fetch every provider now and wait for the fetches to be stored (the periodic task)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    timeout_s = timeout_s or app.config["PRICE_FETCH_TIMEOUT_S"] + 5.0
    refresher = _refresher(app)
    refresher.refresh(PROVIDERS, answer_by=time.monotonic() + timeout_s, waiting_for=PROVIDERS)
    refresher.drain(timeout_s)
    db.session.rollback()  # end any read transaction, to see what the fetches stored
    return _states(repository.statuses(), now=utcnow())


def wait_for_fetches(*, timeout_s: float) -> bool:
    """Wait until no fetch is in flight in this process; True when none is left."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return _refresher(app).drain(timeout_s)


def record_fetch(outcome: FetchOutcome) -> None:
    """Store what a fetch learned: every price seen in the history; the current offers and
    the status unless a fetch started later has already been stored."""
    repository.add_observations(movies=outcome.offers, observed_at=outcome.started_at)
    status = repository.lock_status(provider=outcome.provider)
    if status.last_attempt_at is None or outcome.started_at >= status.last_attempt_at:
        _apply(status, outcome)
    db.session.commit()


def _apply(status: ProviderStatus, outcome: FetchOutcome) -> None:
    status.last_attempt_at = outcome.started_at
    status.last_error = outcome.error[:500] if outcome.error else None
    if outcome.listed_ids is None:
        return
    # A movie whose record did not arrive this time keeps its last offer.
    keep = {movie.provider_movie_id for movie in outcome.offers} | outcome.unfinished_ids
    repository.keep_only_offers(provider=outcome.provider, provider_movie_ids=keep)
    repository.upsert_offers(movies=outcome.offers, fetched_at=outcome.started_at)
    status.last_success_at = outcome.started_at


def _current_states() -> tuple[dict[str, ProviderStatus], dict[str, ProviderState]]:
    """Each provider's status row and state, after refreshing those not ok; UpstreamUnavailable
    when nothing at all is known.

    A refresh is waited for (until the deadline) only where it may change the answer soon:
    the provider has nothing stored yet, or its offers are just old. A provider whose last
    fetch failed is fetched in the background while its stored offers are answered at once."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    answer_by = time.monotonic() + app.config["PRICE_DEADLINE_S"] - ANSWER_MARGIN_S
    asked_at = utcnow()  # offers fresh when asked stay ok, however long the others take
    statuses = repository.statuses()
    states = _states(statuses, now=asked_at)
    behind = [name for name, state in states.items() if state.status != comparison.OK]
    if behind:
        waiting_for = [name for name in behind if _worth_waiting(statuses.get(name))]
        # No transaction or lock held while the fetches run: they store what they get,
        # and the new transaction afterwards sees it.
        release_connection()
        _refresher(app).refresh(behind, answer_by=answer_by, waiting_for=waiting_for)
        if waiting_for:
            statuses = repository.statuses()
            states = _states(statuses, now=asked_at)
    if comparison.nothing_known(states):
        raise UpstreamUnavailable(
            "No provider's prices are known yet; try again shortly.", retry_after=5
        )
    return statuses, states


def _worth_waiting(status: ProviderStatus | None) -> bool:
    return status is None or status.last_success_at is None or status.last_error is None


def _all_movies(statuses: dict[str, ProviderStatus]) -> list[PricedMovie]:
    """Every priced movie, read again only after a fetch was stored: each stored fetch
    changes its provider's last_attempt_at, so equal attempt times mean equal offers."""
    version = tuple(sorted((name, row.last_attempt_at) for name, row in statuses.items()))
    cache = current_app.extensions.setdefault(_MOVIES_CACHE, {})
    cached = cache.get("movies")
    if cached is None or cached[0] != version:
        cached = (version, comparison.priced_movies(repository.offers()))
        cache["movies"] = cached
    return cached[1]


def _states(statuses: dict[str, ProviderStatus], *, now: datetime) -> dict[str, ProviderState]:
    max_age_s = current_app.config["PRICE_MAX_AGE_S"]
    return comparison.provider_states(statuses, now=now, max_age_s=max_age_s)


def _refresher(app: Flask) -> PriceRefresher:
    return refresher_for(app, store=record_fetch)
