"""Queries of the current offers, the providers' status and the price history; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from src import dialects, revisions
from src.clients.provider_records import ProviderMovie
from src.extensions import db
from src.pricing.models import (
    PriceObservation,
    PriceRefresh,
    ProviderOffer,
    ProviderStatus,
    RefreshCount,
)

# The refresh's lease row in price_refresh.
PRICES = "prices"
# The read caches' revision of everything a price read answers from: offers, statuses, history.
PRICES_REVISION = "prices"


def last_successes() -> dict[str, datetime | None]:
    """When each provider with a status row was last fetched well, by provider."""
    rows = db.session.execute(select(ProviderStatus.provider, ProviderStatus.last_success_at))
    return {provider: last_success_at for provider, last_success_at in rows}


def offers(*, movie_id: str | None = None) -> Sequence[ProviderOffer]:
    """The current offers, of one movie or of all."""
    query = select(ProviderOffer).order_by(ProviderOffer.movie_id, ProviderOffer.provider)
    if movie_id is not None:
        query = query.where(ProviderOffer.movie_id == movie_id)
    return db.session.scalars(query).all()


def lock_status(*, provider: str) -> ProviderStatus:
    """The provider's status row, made if missing and locked until the commit (Postgres),
    so that two processes storing the same provider's fetch take turns."""
    db.session.execute(
        dialects.insert(ProviderStatus).values(provider=provider).on_conflict_do_nothing()
    )
    query = select(ProviderStatus).where(ProviderStatus.provider == provider).with_for_update()
    return db.session.scalars(query.execution_options(populate_existing=True)).one()


def keep_only_offers(*, provider: str, provider_movie_ids: Iterable[str]) -> None:
    """Remove the provider's offers of every movie but these."""
    db.session.execute(
        delete(ProviderOffer).where(
            ProviderOffer.provider == provider,
            ProviderOffer.provider_movie_id.not_in(list(provider_movie_ids)),
        )
    )


def upsert_offers(*, movies: Sequence[ProviderMovie], fetched_at: datetime) -> None:
    """Store each movie as its provider's current offer, replacing the one before."""
    if not movies:
        return
    rows = [_offer_row(movie, fetched_at) for movie in movies]
    statement = dialects.insert(ProviderOffer).values(rows)
    updated = {
        name: statement.excluded[name]
        for name in ("movie_id", "title", "year", "poster", "price", "details", "fetched_at")
    }
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["provider", "provider_movie_id"], set_=updated
        )
    )


def add_observations(*, movies: Sequence[ProviderMovie], observed_at: datetime) -> None:
    """Append one price history row per movie seen."""
    db.session.add_all(
        PriceObservation(
            provider=movie.provider,
            provider_movie_id=movie.provider_movie_id,
            movie_id=movie.movie_id,
            title=movie.title,
            year=movie.year,
            price=movie.price,
            observed_at=observed_at,
        )
        for movie in movies
    )


def claim_interval(*, interval_start: datetime, claimed_at: datetime) -> bool:
    """Claim the refresh of the interval starting at interval_start; False when a refresh
    already claimed it (or a later one). One conditional UPDATE: of several workers asking
    at once exactly one gets True (Postgres re-checks the condition after a concurrent
    update commits; SQLite runs one write transaction at a time)."""
    _ensure_refresh_row()
    claimed = db.session.execute(
        update(PriceRefresh)
        .where(
            PriceRefresh.name == PRICES,
            or_(
                PriceRefresh.interval_started_at.is_(None),
                PriceRefresh.interval_started_at < interval_start,
            ),
        )
        .values(interval_started_at=interval_start, claimed_at=claimed_at)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


def bump_revision() -> None:
    """A new prices revision, in the caller's transaction: what was read or cached before
    no longer holds, on any instance, once it commits."""
    revisions.bump(PRICES_REVISION)


def revision() -> revisions.Revision:
    """The prices revision as this transaction sees it (NO_REVISION before any refresh)."""
    return revisions.current(PRICES_REVISION)


def count_outcome(*, provider: str, outcome: str) -> None:
    """One more refresh of the provider that ended with this outcome."""
    statement = dialects.insert(RefreshCount).values(provider=provider, outcome=outcome, count=1)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["provider", "outcome"], set_={"count": RefreshCount.count + 1}
        )
    )


def outcome_counts() -> dict[tuple[str, str], int]:
    """Refreshes by (provider, outcome)."""
    rows = db.session.execute(
        select(RefreshCount.provider, RefreshCount.outcome, RefreshCount.count)
    )
    return {(provider, outcome): count for provider, outcome, count in rows}


def _ensure_refresh_row() -> None:
    row = {"name": PRICES}
    db.session.execute(dialects.insert(PriceRefresh).values(row).on_conflict_do_nothing())


def daily_lowest_prices(
    *, movie_id: str, since: datetime, until: datetime
) -> list[tuple[str, date, Decimal]]:
    """(provider, UTC day, lowest price seen that day) of one movie's history in
    [since, until), by provider and day (read through ix_price_history_movie_observed)."""
    day = dialects.UtcDay(PriceObservation.observed_at)
    query = (
        select(PriceObservation.provider, day, func.min(PriceObservation.price))
        .where(
            PriceObservation.movie_id == movie_id,
            PriceObservation.observed_at >= since,
            PriceObservation.observed_at < until,
        )
        .group_by(PriceObservation.provider, day)
        .order_by(PriceObservation.provider, day)
    )
    return [(provider, day, price) for provider, day, price in db.session.execute(query)]


def _offer_row(movie: ProviderMovie, fetched_at: datetime) -> dict[str, Any]:
    return {
        "provider": movie.provider,
        "provider_movie_id": movie.provider_movie_id,
        "movie_id": movie.movie_id,
        "title": movie.title,
        "year": movie.year,
        "poster": movie.poster,
        "price": movie.price,
        "details": movie.details,
        "fetched_at": fetched_at,
    }
