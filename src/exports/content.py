"""What an export contains: the rows streamed from the database, and how each cell is written."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Subquery, and_, func, or_, select

from src.catalog.models import Genre, Movie, movie_genres
from src.pricing.models import PriceObservation

PRICE_HEADER = (
    "movie_id",
    "title",
    "year",
    "provider",
    "provider_movie_id",
    "latest_price",
    "lowest_price",
    "highest_price",
    "last_seen_at",
)
CATALOG_HEADER = (
    "id",
    "title",
    "format",
    "length",
    "release_year",
    "rating",
    "genres",
    "director",
    "description",
    "expiry_date",
    "imdb_score",
    "popularity",
    "created_at",
    "updated_at",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CENTS = Decimal("0.01")


def header(kind: str) -> Sequence[str]:
    return PRICE_HEADER if kind == "prices" else CATALOG_HEADER


def price_rows_query(*, since: datetime, until: datetime) -> Select[Any]:
    """One row per (movie, provider) seen in [since, until): latest, lowest, highest price."""
    window = _ranked_observations(since=since, until=until)
    columns = [window.c[name] for name in PRICE_HEADER]
    return (
        select(*columns).where(window.c.recency == 1).order_by(window.c.movie_id, window.c.provider)
    )


def _ranked_observations(*, since: datetime, until: datetime) -> Subquery:
    """Each observation in the window with its pair's lowest and highest price and its rank
    (1 = the pair's latest); works on SQLite and Postgres alike."""
    history = PriceObservation.__table__

    def per_pair(function: Any) -> Any:
        # One window (so one sort) for the three functions: the whole pair, newest first.
        return function.over(
            partition_by=(history.c.movie_id, history.c.provider),
            order_by=(history.c.observed_at.desc(), history.c.id.desc()),
            rows=(None, None),
        )

    return (
        select(
            *(history.c[name] for name in ("movie_id", "title", "year", "provider")),
            history.c.provider_movie_id,
            history.c.price.label("latest_price"),
            per_pair(func.min(history.c.price)).label("lowest_price"),
            per_pair(func.max(history.c.price)).label("highest_price"),
            history.c.observed_at.label("last_seen_at"),
            per_pair(func.row_number()).label("recency"),
        )
        .where(history.c.observed_at >= since, history.c.observed_at < until)
        .subquery("in_window")
    )


def catalog_rows_query(*, since: datetime, until: datetime) -> Select[Any]:
    """Catalog movies created or changed in [since, until), one row per genre, by movie id."""
    movies = Movie.__table__
    changed = or_(
        and_(movies.c.created_at >= since, movies.c.created_at < until),
        and_(movies.c.updated_at >= since, movies.c.updated_at < until),
    )
    movie_columns = [movies.c[name] for name in CATALOG_HEADER if name != "genres"]
    return (
        select(*movie_columns, Genre.name.label("genre"))
        .outerjoin(movie_genres, movie_genres.c.movie_id == movies.c.id)
        .outerjoin(Genre, Genre.id == movie_genres.c.genre_id)
        .where(changed)
        .order_by(movies.c.id, func.lower(Genre.name))
    )


def catalog_records(rows: Iterable[Any]) -> Iterator[list[Any]]:
    """Fold the consecutive genre rows of each movie into one record (genres joined by ', ')."""
    for _, group in itertools.groupby(rows, key=lambda row: row.id):
        movie_rows = list(group)  # one movie's genres: a handful of rows
        first = movie_rows[0]._mapping
        genres = ", ".join(row.genre for row in movie_rows if row.genre is not None)
        yield [genres if name == "genres" else first[name] for name in CATALOG_HEADER]


def price_records(rows: Iterable[Any]) -> Iterator[Sequence[Any]]:
    return (tuple(row) for row in rows)


def cell(value: Any) -> str:
    """A CSV cell: two-place decimals, UTC ISO times, text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, Decimal):
        return str(value.quantize(_CENTS))
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
