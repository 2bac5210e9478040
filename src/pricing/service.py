"""Price comparison rules: answer from what the worker's refresh stored; never call a
provider to answer a read (src/pricing/refresh.py is the one code that fetches)."""

from __future__ import annotations

from typing import Any

from flask import current_app

from src.clients.outbound import outbound_deadline
from src.clients.provider_records import ProviderMovie, provider_record
from src.clients.providers import PROVIDERS, provider_client
from src.columns import utcnow
from src.database import release_connection
from src.errors import NotFound, UpstreamUnavailable
from src.pricing import comparison, repository
from src.pricing.comparison import PriceBoard, PricedMovie, PriceSnapshot, ProviderState


def price_board() -> PriceBoard:
    """Every movie either provider sells, with the cheapest offer and each provider's state;
    UpstreamUnavailable (503) while nothing at all is known."""
    return _known(comparison.board(read_snapshot(), now=utcnow(), max_age_s=_max_age_s()))


def read_snapshot() -> PriceSnapshot:
    """The stored prices, in two statements: each provider's last success, every offer."""
    successes = repository.last_successes()
    return PriceSnapshot(successes, comparison.priced_movies(repository.offers()))


def priced_movie(*, movie_id: str) -> tuple[PricedMovie, dict[str, ProviderState]]:
    """One movie with its offers and details, and each provider's state; NotFound if none
    sells it."""
    snapshot = PriceSnapshot(
        repository.last_successes(),
        comparison.priced_movies(repository.offers(movie_id=movie_id)),
    )
    board = _known(comparison.board(snapshot, now=utcnow(), max_age_s=_max_age_s()))
    if not board.movies:
        raise NotFound(f"No provider sells a movie with id {movie_id}.")
    return board.movies[0], board.providers


def add_provider_movie(*, provider: str, movie: dict[str, Any]) -> ProviderMovie:
    """Forward a movie (snake_case fields) to a provider; the record as it stored it (the
    one call to a provider a request makes, within PRICE_FETCH_TIMEOUT_S)."""
    if provider not in PROVIDERS:
        raise NotFound(f"No provider named {provider}; known: {', '.join(PROVIDERS)}.")
    release_connection()
    with outbound_deadline(current_app.config["PRICE_FETCH_TIMEOUT_S"]):
        return provider_client(provider).add_movie(provider_record(provider, movie))


def _known(board: PriceBoard) -> PriceBoard:
    if comparison.nothing_known(board.providers):
        raise UpstreamUnavailable(
            "No provider's prices are known yet; try again shortly.", retry_after=5
        )
    return board


def _max_age_s() -> float:
    max_age_s: float = current_app.config["PRICE_MAX_AGE_S"]
    return max_age_s
