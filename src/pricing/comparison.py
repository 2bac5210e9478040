"""The price comparison itself: offers merged by movie, the cheapest, each provider's state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import groupby

from src.clients.providers import PROVIDERS
from src.pricing.models import ProviderOffer

OK, STALE, UNAVAILABLE = "ok", "stale", "unavailable"


@dataclass(frozen=True)
class Offer:
    """One provider's price for a movie."""

    provider: str
    provider_movie_id: str
    price: Decimal


@dataclass(frozen=True)
class PricedMovie:
    """A movie with every provider's offer, cheapest first (ties: by provider name)."""

    id: str  # noqa: A003 (the contract's name)
    title: str
    year: int | None
    poster: str | None
    offers: list[Offer]
    details: dict[str, str] = field(default_factory=dict)

    @property
    def cheapest(self) -> Offer:
        return self.offers[0]

    @property
    def other_offers(self) -> list[Offer]:
        return self.offers[1:]


@dataclass(frozen=True)
class ProviderState:
    """Whether a provider's stored offers are current: ok, stale or unavailable."""

    status: str
    fetched_at: datetime | None


@dataclass(frozen=True)
class PriceBoard:
    """Every movie either provider sells, and how current each provider's offers are."""

    movies: list[PricedMovie]
    providers: dict[str, ProviderState]


@dataclass(frozen=True)
class PriceSnapshot:
    """The prices as the last stored refresh left them: each provider's last success and
    every priced movie. It changes only when a refresh is stored (which bumps the prices
    revision), so the read cache keeps it by that revision (reads.py); the providers' states
    come from it and the time of each request."""

    successes: dict[str, datetime | None]
    movies: list[PricedMovie]


def provider_state(
    last_success_at: datetime | None, *, now: datetime, max_age_s: float
) -> ProviderState:
    """ok: the last success is at most max_age_s old; stale: older; unavailable: the
    provider has never been fetched well, so nothing of it is stored."""
    if last_success_at is None:
        return ProviderState(UNAVAILABLE, None)
    young = now - last_success_at <= timedelta(seconds=max_age_s)
    return ProviderState(OK if young else STALE, last_success_at)


def provider_states(
    successes: Mapping[str, datetime | None], *, now: datetime, max_age_s: float
) -> dict[str, ProviderState]:
    """Each known provider's state, in name order."""
    return {
        provider: provider_state(successes.get(provider), now=now, max_age_s=max_age_s)
        for provider in PROVIDERS
    }


def troubled_providers(states: Mapping[str, ProviderState]) -> dict[str, ProviderState]:
    """The providers whose offers are stale or missing, for a notice."""
    return {name: state for name, state in states.items() if state.status != OK}


def nothing_known(states: Mapping[str, ProviderState]) -> bool:
    """No provider has ever given us its offers."""
    return all(state.status == UNAVAILABLE for state in states.values())


def priced_movies(offers: Iterable[ProviderOffer]) -> list[PricedMovie]:
    """Offers merged by the provider-neutral movie id, sorted by title."""
    by_movie = sorted(offers, key=lambda offer: (offer.movie_id, offer.provider))
    movies = [_priced_movie(list(group)) for _, group in groupby(by_movie, lambda o: o.movie_id)]
    return sorted(movies, key=lambda movie: (movie.title.casefold(), movie.id))


def _priced_movie(offers: Sequence[ProviderOffer]) -> PricedMovie:
    """One movie from its offers (in provider name order): the first provider that gives
    a field wins it."""
    first = offers[0]
    return PricedMovie(
        id=first.movie_id,
        title=first.title,
        year=next((offer.year for offer in offers if offer.year is not None), None),
        poster=next((offer.poster for offer in offers if offer.poster), None),
        offers=sorted(
            (Offer(o.provider, o.provider_movie_id, o.price) for o in offers),
            key=lambda offer: (offer.price, offer.provider),
        ),
        details=_merged_details(offers),
    )


def _merged_details(offers: Sequence[ProviderOffer]) -> dict[str, str]:
    details: dict[str, str] = {}
    for offer in reversed(offers):
        details.update(offer.details or {})
    return details
