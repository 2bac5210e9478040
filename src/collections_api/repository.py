"""Collection queries. Never commits: the service owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from src.collections_api.models import (
    Collection,
    ListedMovie,
    collection_movies,
    listed_movie_genres,
)
from src.columns import utcnow
from src.extensions import db

# Rows per INSERT: keeps every statement under SQLite's limit of bound parameters.
CHUNK = 500


def add(collection: Collection) -> None:
    db.session.add(collection)
    db.session.flush()  # the uuid and row exist before its movies refer to them


def delete_collection(collection: Collection) -> None:
    db.session.delete(collection)


def get_owned(*, collection_uuid: UUID, owner_id: int) -> Collection | None:
    """The collection if it belongs to the owner; another user's is as good as missing."""
    query = select(Collection).where(
        Collection.uuid == collection_uuid, Collection.user_id == owner_id
    )
    return db.session.execute(query).scalar_one_or_none()


def owned_by(*, owner_id: int) -> Sequence[Collection]:
    """Every collection of the owner, oldest first."""
    query = (
        select(Collection)
        .where(Collection.user_id == owner_id)
        .order_by(Collection.created_at, Collection.uuid)
    )
    return db.session.execute(query).scalars().all()


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _upsert_statement(dialect: str) -> Any:
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def store_movies(*, movies: list[dict[str, Any]]) -> None:
    """Insert new movies and refresh known ones (by uuid), with their split genres."""
    if not movies:
        return
    upsert = _upsert_statement(db.session.get_bind().dialect.name)
    now = utcnow()
    # Rows locked in one global order, so that two requests storing the same movies in
    # different orders cannot deadlock on Postgres.
    rows = sorted(({**movie, "updated_at": now} for movie in movies), key=lambda row: row["uuid"])
    table = ListedMovie.__table__
    for chunk in _chunks(rows):
        statement = upsert(table).values(chunk)
        changed = {name: statement.excluded[name] for name in chunk[0] if name != "uuid"}
        db.session.execute(statement.on_conflict_do_update(index_elements=["uuid"], set_=changed))
    _store_genres(movies=rows, upsert=upsert)


def _store_genres(*, movies: list[dict[str, Any]], upsert: Any) -> None:
    uuids = [movie["uuid"] for movie in movies]
    for start in range(0, len(uuids), CHUNK):
        chunk = uuids[start : start + CHUNK]
        db.session.execute(
            delete(listed_movie_genres).where(listed_movie_genres.c.movie_uuid.in_(chunk))
        )
    rows = [
        {"movie_uuid": movie["uuid"], "genre": genre}
        for movie in movies
        for genre in split_genres(movie["genres"])
    ]
    for chunk_rows in _chunks(rows):
        # A concurrent refresh of the same movie may have written the same row first.
        statement = upsert(listed_movie_genres).values(chunk_rows)
        db.session.execute(statement.on_conflict_do_nothing())


def split_genres(genres: str) -> list[str]:
    """A movie list genres string as distinct genres: trimmed, empties dropped, in order."""
    return list(dict.fromkeys(part.strip() for part in genres.split(",") if part.strip()))


def replace_movies(*, collection: Collection, movie_uuids: list[UUID]) -> None:
    """Make the collection hold exactly these movies, in this order."""
    db.session.execute(
        delete(collection_movies).where(collection_movies.c.collection_id == collection.uuid)
    )
    rows = [
        {"collection_id": collection.uuid, "movie_uuid": movie_uuid, "position": position}
        for position, movie_uuid in enumerate(movie_uuids)
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(collection_movies).values(chunk))
    db.session.expire(collection, ["movies"])


def favourite_genres(*, owner_id: int, limit: int) -> list[str]:
    """The owner's genres with the most movies across all their collections.

    A movie counts once for each collection that holds it; ties go alphabetically.
    """
    movies = func.count().label("movies")
    query = (
        select(listed_movie_genres.c.genre, movies)
        .join(collection_movies, collection_movies.c.movie_uuid == listed_movie_genres.c.movie_uuid)
        .join(Collection, Collection.uuid == collection_movies.c.collection_id)
        .where(Collection.user_id == owner_id)
        .group_by(listed_movie_genres.c.genre)
        .order_by(movies.desc(), listed_movie_genres.c.genre.asc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars().all())
