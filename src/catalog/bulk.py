"""Bulk writes of imported movies: one batch, one transaction, set-based SQL.

A batch goes to two staging tables (the movies, and their genres by the movie's place in the
batch), loaded in one round trip each (src/dialects.bulk_load); the same statements then
find which rows update a movie (same external_id), upsert the movies, make the genres that
are new and replace the batch's genre links. The catalog revision is bumped first, in the
batch's transaction, as every catalog write does (see service.CATALOG_REVISION).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Uuid, bindparam, text

from src import dialects, revisions
from src.catalog.import_rows import Movie
from src.catalog.service import CATALOG_REVISION
from src.columns import UtcDateTime, utcnow
from src.extensions import db

VALUE_COLUMNS = (
    "title", "format", "length", "release_year", "rating", "director", "description",
    "expiry_date", "imdb_score", "popularity",
)  # fmt: skip
STAGED_COLUMNS = ("key", "id", "external_id", *VALUE_COLUMNS)
_STAGING_DDL = (
    "CREATE TEMP TABLE IF NOT EXISTS import_movies (key integer, id {uuid}, existing boolean,"
    " external_id text, title text, format text, length integer, release_year integer,"
    " rating integer,"
    " director text, description text, expiry_date date, imdb_score float, popularity float)",
    "CREATE TEMP TABLE IF NOT EXISTS import_genres (key integer, name text)",
)
_EMPTY_STAGING = ("DELETE FROM import_movies", "DELETE FROM import_genres")
_FIND_UPDATED = (
    "UPDATE import_movies AS s SET id = m.id, existing = true FROM movies AS m "
    "WHERE m.external_id = s.external_id"
)
_UPSERT = text(
    "INSERT INTO movies (id, external_id, {columns}, created_at, updated_at) "  # noqa: S608
    "SELECT id, external_id, {columns}, :now, :now FROM import_movies WHERE true "
    "ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET {updates}".format(
        columns=", ".join(VALUE_COLUMNS),
        updates=", ".join(f"{name} = excluded.{name}" for name in (*VALUE_COLUMNS, "updated_at")),
    )
).bindparams(bindparam("now", type_=UtcDateTime()))
_NEW_GENRES = (
    "INSERT INTO genres (name) SELECT min(name) FROM import_genres AS i WHERE NOT EXISTS "
    "(SELECT 1 FROM genres AS g WHERE lower(g.name) = lower(i.name)) "
    "GROUP BY lower(name) ON CONFLICT DO NOTHING"
)
# A new movie has no links: only the updated ones lose theirs before the batch's are made.
_UNLINK = "DELETE FROM movie_genres WHERE movie_id IN (SELECT id FROM import_movies WHERE existing)"
_LINK = (
    "INSERT INTO movie_genres (movie_id, genre_id) SELECT DISTINCT s.id, g.id "
    "FROM import_genres AS i JOIN import_movies AS s ON s.key = i.key "
    "JOIN genres AS g ON lower(g.name) = lower(i.name)"
)


@dataclass(frozen=True)
class BatchResult:
    imported: int
    updated: int


def write_batch(movies: Sequence[Movie]) -> BatchResult:
    """Import one batch in its own transaction: the movies new or updated by external_id."""
    latest = _latest_by_external_id(movies)
    revisions.bump(CATALOG_REVISION)
    connection = db.session.connection()
    for statement in _STAGING_DDL:
        connection.exec_driver_sql(statement.format(uuid=dialects.column_type(connection, Uuid())))
    for statement in _EMPTY_STAGING:
        connection.exec_driver_sql(statement)
    movie_rows, genre_rows = _staged(latest)
    dialects.bulk_load(connection, "import_movies", STAGED_COLUMNS, movie_rows)
    dialects.bulk_load(connection, "import_genres", ("key", "name"), genre_rows)
    updated = connection.exec_driver_sql(_FIND_UPDATED).rowcount
    connection.execute(_UPSERT, {"now": utcnow()})
    for statement in (_NEW_GENRES, _UNLINK, _LINK):
        connection.exec_driver_sql(statement)
    db.session.commit()
    repeated = len(movies) - len(latest)  # a later row of the batch updated an earlier one
    return BatchResult(imported=len(latest) - updated, updated=updated + repeated)


def _latest_by_external_id(movies: Sequence[Movie]) -> list[Movie]:
    """The batch with, for each external_id, only its last row (an upsert touches a row once)."""
    keyed: dict[str, Movie] = {}
    anonymous: list[Movie] = []
    for movie in movies:
        if movie.external_id is None:
            anonymous.append(movie)
        else:
            keyed.pop(movie.external_id, None)
            keyed[movie.external_id] = movie
    return sorted([*anonymous, *keyed.values()], key=lambda movie: movie.line)


def _staged(movies: Sequence[Movie]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    movie_rows: list[tuple[Any, ...]] = []
    genre_rows: list[tuple[Any, ...]] = []
    for key, movie in enumerate(movies):
        values = [_plain(movie.fields.get(name)) for name in VALUE_COLUMNS]
        movie_rows.append((key, uuid.uuid4(), movie.external_id, *values))
        genre_rows.extend((key, name) for name in movie.fields["genres"])
    return movie_rows, genre_rows


def _plain(value: Any) -> Any:
    # Dates as text: both drivers read YYYY-MM-DD, and sqlite3's date adapter is deprecated.
    return value.isoformat() if isinstance(value, date) else value
