"""Bulk writes of imported movies: set-based SQL, a batch at a time.

A batch goes to two staging tables (the movies, and their genres by the movie's place in the
batch), loaded in one round trip each (src/dialects.bulk_load: COPY on Postgres); the same
statements then find which rows update a movie (same external_id), upsert the movies, make
the genres that are new and replace the batch's genre links.

A Loader runs an import's batches. Each batch is its own transaction, which bumps the
catalog revision first, as every catalog write does (see service.CATALOG_REVISION); except
into an empty catalog on Postgres (src/catalog/empty_load.py), where the whole import is one
transaction, one bump, with the secondary indexes dropped at its start and built at its end.
There a batch whose external_ids are all new (the usual case: the catalog was empty) skips
the staging tables: its movies and genre links are COPYed straight into `movies` and
`movie_genres`, frozen, the links' genre ids looked up (or the genres made) by name once an
import, and its words added (src/catalog/derived.py); a batch that repeats an earlier
batch's external_id is upserted as above. The COPY text of a batch is made by prepare(), on
the thread that reads the file, while the database takes the batch before: the import's
work and the database's overlap. The COPYed movies' ids rise from batch to batch
(dialects.RisingUuids), so the primary keys of `movies` and `movie_genres` take them at
their right edge, and a batch's movies are one range of ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Uuid, bindparam, text

from src import dialects, revisions
from src.catalog import derived, empty_load
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
_INSERT = (
    "INSERT INTO movies (id, external_id, {columns}, created_at, updated_at) "  # noqa: S608
    "SELECT id, external_id, {columns}, :now, :now FROM import_movies WHERE true "
    "ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO UPDATE SET {updates}".format(
        columns=", ".join(VALUE_COLUMNS),
        updates=", ".join(f"{name} = excluded.{name}" for name in (*VALUE_COLUMNS, "updated_at")),
    )
)
_NOW = bindparam("now", type_=UtcDateTime())
_UPSERT = text(_INSERT).bindparams(_NOW)
# Postgres hashes the whole of `movies` for _FIND_UPDATED's join, once a batch: where a
# data-modifying WITH exists, the upsert finds the rows it updates by the unique index
# instead, and says which (a movie it made has this batch's created_at, one it updated kept
# its own).
_UPSERT_FINDING_UPDATED = text(
    f"WITH upserted AS ({_INSERT} RETURNING id, external_id, created_at <> :now AS existed) "  # noqa: S608
    "UPDATE import_movies AS s SET id = u.id, existing = true FROM upserted AS u "
    "WHERE u.existed AND u.external_id = s.external_id"
).bindparams(_NOW)
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


COPIED_COLUMNS = ("id", "external_id", *VALUE_COLUMNS, "created_at", "updated_at")
_ANY_LOADED = "SELECT EXISTS (SELECT 1 FROM movies WHERE external_id = ANY(%(keys)s::text[]))"
_NAMED_GENRES = (
    "INSERT INTO genres (name) SELECT min(n) FROM unnest(%(names)s::text[]) AS n "
    "WHERE NOT EXISTS (SELECT 1 FROM genres AS g WHERE lower(g.name) = lower(n)) "
    "GROUP BY lower(n) ON CONFLICT DO NOTHING"
)
_GENRE_IDS = (
    "SELECT n, g.id FROM unnest(%(names)s::text[]) AS n "
    "JOIN genres AS g ON lower(g.name) = lower(n)"
)


@dataclass(frozen=True)
class BatchResult:
    imported: int
    updated: int


@dataclass(frozen=True)
class Batch:
    """A batch made ready to write, without the database: its movies (of an external_id only
    its last row), how many rows it was read as, and, when the load COPYs, the movies' ids,
    their COPY text and the external_ids an earlier batch may have loaded (none, or all the
    batch's: the database then says whether one was)."""

    movies: list[Movie]
    rows: int
    ids: list[str]
    text: str
    maybe_loaded: list[str]


class KeyFilter:
    """Which external_ids were added, as a Bloom filter: a key added is always found (so a
    repeated one always goes to the database's check), a key never added rarely. A batch of
    10,000 new keys is taken for a repeat about once in 250 batches after a million keys
    (8 MB, 6 probes a key), nearly always after ten million: the check the filter spares
    then runs for every batch, as without it (an `= ANY` of the batch's keys over the unique
    index, ~11 µs a key of the writer thread's time, by the profile)."""

    _BITS = 1 << 26
    _PROBES = 6
    # The probing loop is spelled out in both methods: through one shared generator of the
    # places the filter took 1.6x the time, on the thread that reads the file.

    def __init__(self) -> None:
        self._bits = bytearray(self._BITS // 8)

    def any_added(self, keys: Sequence[str]) -> bool:
        bits, last = self._bits, self._BITS - 1
        for key in keys:
            first, step = self._start(key)
            for probe in range(self._PROBES):
                place = (first + probe * step) & last
                if not bits[place >> 3] >> (place & 7) & 1:
                    break
            else:
                return True
        return False

    def add(self, keys: Sequence[str]) -> None:
        bits, last = self._bits, self._BITS - 1
        for key in keys:
            first, step = self._start(key)
            for probe in range(self._PROBES):
                place = (first + probe * step) & last
                bits[place >> 3] |= 1 << (place & 7)

    @staticmethod
    def _start(key: str) -> tuple[int, int]:
        # The process's own string hash (each run's differs; the filter lives for one load).
        digest = hash(key) & 0xFFFFFFFFFFFFFFFF
        return digest & 0xFFFFFFFF, digest >> 32 | 1


class Loader:
    """Writes the batches of one import, in the transactions the catalog's state calls for.
    prepare() may run on another thread than the rest, one batch ahead: its work is the
    import's, write()'s mostly the database's."""

    def __init__(self) -> None:
        self.empty_load = empty_load.begin()  # None: batch by batch
        self._genre_ids: dict[str, int] = {}  # a genre name as loaded: its genre's id
        self._ids = dialects.RisingUuids()  # the COPYed movies' ids, in the file's order
        self._upserted = False  # whether a batch of the empty load was not COPYed
        self._loaded_keys = KeyFilter()  # the external_ids of the batches prepared so far
        if self.empty_load is not None:
            revisions.bump(CATALOG_REVISION)
            dialects.allow_long_statements(timeout_ms=0)  # the API's timeout is for requests

    def prepare(self, movies: Sequence[Movie]) -> Batch:
        latest = _latest_by_external_id(movies)
        if self.empty_load is None:
            return Batch(latest, len(movies), [], "", [])
        keys = [movie.external_id for movie in latest if movie.external_id is not None]
        maybe_loaded = keys if self._loaded_keys.any_added(keys) else []
        self._loaded_keys.add(keys)
        ids = self._ids.take(len(latest))
        now = utcnow().isoformat()
        lines = (
            (movie_id, movie.external_id, *map(movie.fields.get, VALUE_COLUMNS), now, now)
            for movie_id, movie in zip(ids, latest, strict=True)
        )
        return Batch(latest, len(movies), ids, dialects.copy_rows(lines), maybe_loaded)

    def write(self, batch: Batch) -> BatchResult:
        """Import one batch: the movies new or updated by external_id."""
        if self.empty_load is not None:
            return self._copy_batch(batch, freeze=self.empty_load.frozen)
        revisions.bump(CATALOG_REVISION)
        dialects.allow_long_statements(timeout_ms=0)  # the API's timeout is for requests
        result = _write_batch(batch)
        db.session.commit()
        return result

    def finish(self) -> None:
        """Build what the load dropped and commit it, when it was one transaction."""
        if self.empty_load is not None:
            empty_load.finish(self.empty_load.rebuild, every_word=self._upserted)
            db.session.commit()
            empty_load.settle()

    def _copy_batch(self, batch: Batch, *, freeze: bool) -> BatchResult:
        """COPY a batch straight into the tables of the empty load, unless one of its
        external_ids is loaded already (then it is an upsert, as into any catalog)."""
        connection = db.session.connection()
        keys = batch.maybe_loaded
        if keys and connection.exec_driver_sql(_ANY_LOADED, {"keys": keys}).scalar_one():
            self._upserted = True
            return _write_batch(batch)
        dialects.copy_in(connection, "movies", COPIED_COLUMNS, batch.text, freeze=freeze)
        derived.add_words(connection, batch.ids[0], batch.ids[-1])
        genre_ids = self._genres_of(connection, batch.movies)
        links = "".join(
            f"{movie_id}\t{genre_id}\n"
            for movie_id, movie in zip(batch.ids, batch.movies, strict=True)
            for genre_id in dict.fromkeys(map(genre_ids.__getitem__, movie.fields["genres"]))
        )  # a movie's names may be one genre ("War", "war"): each genre once
        if links:
            columns = ("movie_id", "genre_id")
            dialects.copy_in(connection, "movie_genres", columns, links, freeze=freeze)
        return BatchResult(imported=len(batch.movies), updated=batch.rows - len(batch.movies))

    def _genres_of(self, connection: Connection, movies: Sequence[Movie]) -> dict[str, int]:
        """The genre id of every name the movies give, the genres new to the catalog made
        (by the database's lower(), as the unique index on genre names compares them)."""
        known = self._genre_ids
        names = list({name for movie in movies for name in movie.fields["genres"]} - known.keys())
        if names:
            connection.exec_driver_sql(_NAMED_GENRES, {"names": names})
            known.update(connection.exec_driver_sql(_GENRE_IDS, {"names": names}).all())
        return known


def _write_batch(batch: Batch) -> BatchResult:
    latest = batch.movies
    connection = db.session.connection()
    for statement in _STAGING_DDL:
        connection.exec_driver_sql(statement.format(uuid=dialects.column_type(connection, Uuid())))
    for statement in _EMPTY_STAGING:
        connection.exec_driver_sql(statement)
    movie_rows, genre_rows = _staged(latest)
    dialects.bulk_load(connection, "import_movies", STAGED_COLUMNS, movie_rows)
    dialects.bulk_load(connection, "import_genres", ("key", "name"), genre_rows)
    if dialects.modifies_data_in_with(connection):
        updated = connection.execute(_UPSERT_FINDING_UPDATED, {"now": utcnow()}).rowcount
    else:
        updated = connection.exec_driver_sql(_FIND_UPDATED).rowcount
        connection.execute(_UPSERT, {"now": utcnow()})
    for statement in (_NEW_GENRES, _UNLINK, _LINK):
        connection.exec_driver_sql(statement)
    repeated = batch.rows - len(latest)  # a later row of the batch updated an earlier one
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
        fields = movie.fields
        values = [_plain(fields.get(name)) for name in VALUE_COLUMNS]
        movie_rows.append((key, uuid.uuid4(), movie.external_id, *values))
        genre_rows.extend((key, name) for name in fields["genres"])
    return movie_rows, genre_rows


def _plain(value: Any) -> Any:
    # Dates as text: both drivers read YYYY-MM-DD, and sqlite3's date adapter is deprecated.
    return value.isoformat() if isinstance(value, date) else value
