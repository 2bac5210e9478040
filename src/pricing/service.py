"""Price comparison rules: answer from what the worker's refresh stored; never call a
provider to answer a read (src/pricing/refresh.py is the one code that fetches)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import current_app

from src.clients.provider_records import ProviderMovie, provider_record
from src.clients.providers import PROVIDERS, provider_client
from src.database import outbound_call
from src.errors import NotFound, UpstreamUnavailable
from src.pricing import comparison, repository
from src.pricing.comparison import PriceBoard, PricedMovie, PriceSnapshot, ProviderState


def read_snapshot() -> PriceSnapshot:
    """The stored prices, in two statements: each provider's last success, every offer."""
    successes = repository.last_successes()
    return PriceSnapshot(successes, comparison.priced_movies(repository.offers()))


def provider_states(*, snapshot: PriceSnapshot, now: datetime) -> dict[str, ProviderState]:
    """Each provider's state at `now` (ok while its last success is at most PRICE_MAX_AGE_S
    old); UpstreamUnavailable (503) while nothing at all is known."""
    states = comparison.provider_states(snapshot.successes, now=now, max_age_s=_max_age_s())
    if comparison.nothing_known(states):
        raise UpstreamUnavailable(
            "No provider's prices are known yet; try again shortly.", retry_after=5
        )
    return states


def price_board(*, snapshot: PriceSnapshot, states: dict[str, ProviderState]) -> PriceBoard:
    """Every movie either provider sells, with the cheapest offer and each provider's state."""
    return PriceBoard(movies=snapshot.movies, providers=states)


def priced_movie(*, movies: Mapping[str, PricedMovie], movie_id: str) -> PricedMovie:
    """One movie with its offers and details, from the stored movies by id; NotFound if
    none sells it."""
    movie = movies.get(movie_id)
    if movie is None:
        raise NotFound(f"No provider sells a movie with id {movie_id}.")
    return movie


def add_provider_movie(*, provider: str, movie: dict[str, Any]) -> ProviderMovie:
    """Forward a movie (snake_case fields) to a provider; the record as it stored it (the
    one call to a provider a request makes, within PRICE_FETCH_TIMEOUT_S)."""
    if provider not in PROVIDERS:
        raise NotFound(f"No provider named {provider}; known: {', '.join(PROVIDERS)}.")
    with outbound_call(current_app.config["PRICE_FETCH_TIMEOUT_S"]):
        return provider_client(provider).add_movie(provider_record(provider, movie))


def _max_age_s() -> float:
    max_age_s: float = current_app.config["PRICE_MAX_AGE_S"]
    return max_age_s
