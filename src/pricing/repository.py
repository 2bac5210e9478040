"""Queries of the current offers, the providers' status and the price history; never commits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from src.clients.provider_records import ProviderMovie
from src.extensions import db
from src.pricing.models import PriceObservation, ProviderOffer, ProviderStatus


def statuses() -> dict[str, ProviderStatus]:
    """Every provider's status row, by provider."""
    rows = db.session.scalars(select(ProviderStatus))
    return {row.provider: row for row in rows}


def offers(*, movie_id: str | None = None) -> Sequence[ProviderOffer]:
    """The current offers, of one movie or of all."""
    query = select(ProviderOffer).order_by(ProviderOffer.movie_id, ProviderOffer.provider)
    if movie_id is not None:
        query = query.where(ProviderOffer.movie_id == movie_id)
    return db.session.scalars(query).all()


def lock_status(*, provider: str) -> ProviderStatus:
    """The provider's status row, made if missing and locked until the commit (Postgres),
    so that two processes storing the same provider's fetch take turns."""
    db.session.execute(_insert(ProviderStatus).values(provider=provider).on_conflict_do_nothing())
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
    statement = _insert(ProviderOffer).values(rows)
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


def daily_lowest_prices(
    *, movie_id: str, since: datetime, until: datetime
) -> list[tuple[str, date, Decimal]]:
    """(provider, UTC day, lowest price seen that day) of one movie's history in
    [since, until), by provider and day (read through ix_price_history_movie_observed)."""
    day = UtcDay(PriceObservation.observed_at)
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


class UtcDay(FunctionElement[date]):
    """The UTC calendar day of a UtcDateTime column, on either backend."""

    type = Date()  # noqa: A003 (SQLAlchemy's name)
    name = "utc_day"
    inherit_cache = True


@compiles(UtcDay)
def _utc_day(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UtcDateTime as naive UTC text ("2026-11-21 10:00:00.000000").
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UtcDay, "postgresql")
def _utc_day_postgres(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    # The session's TimeZone must not decide the day.
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


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


def _insert(model: type[Any]) -> Any:
    """INSERT with ON CONFLICT for the session's backend (Postgres or SQLite)."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql if dialect == "postgresql" else sqlite).insert(model)
