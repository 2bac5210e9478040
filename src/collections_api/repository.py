"""Collection queries. Never commits: the service owns the unit of work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, func, insert, select

from src.collections_api.models import Collection, CollectionMovie, collection_movie_genres
from src.extensions import db

# Rows per INSERT: keeps every statement under SQLite's limit of bound parameters.
CHUNK = 500


def add(collection: Collection) -> None:
    db.session.add(collection)
    db.session.flush()  # the uuid and row exist before its movies refer to them


def delete_collection(collection: Collection) -> None:
    db.session.delete(collection)  # its movies and their genres go with it (ON DELETE CASCADE)


def get_owned(
    *, collection_uuid: UUID, owner_id: int, for_update: bool = False
) -> Collection | None:
    """The collection if it belongs to the owner; another user's is as good as missing.

    for_update locks its row until the commit, so that two requests replacing its movies
    run one after the other (on SQLite every write transaction already does).
    """
    query = select(Collection).where(
        Collection.uuid == collection_uuid, Collection.user_id == owner_id
    )
    if for_update:
        query = query.with_for_update()
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


def split_genres(genres: str) -> list[str]:
    """A movie list genres string as distinct genres: trimmed, empties dropped, in order."""
    return list(dict.fromkeys(part.strip() for part in genres.split(",") if part.strip()))


def replace_movies(*, collection: Collection, movies: list[dict[str, Any]]) -> None:
    """Make the collection hold exactly these movies, as sent and in this order.

    Only this collection's rows are touched: the same uuid elsewhere is another copy.
    """
    table = CollectionMovie.__table__
    db.session.execute(delete(table).where(table.c.collection_id == collection.uuid))
    rows = [
        {
            "collection_id": collection.uuid,
            "movie_uuid": movie["uuid"],
            "position": position,
            "title": movie["title"],
            "description": movie["description"],
            "genres": movie["genres"],
        }
        for position, movie in enumerate(movies)
    ]
    genre_rows = [
        {"collection_id": collection.uuid, "movie_uuid": movie["uuid"], "genre": genre}
        for movie in movies
        for genre in split_genres(movie["genres"])
    ]
    for chunk in _chunks(rows):
        db.session.execute(insert(table).values(chunk))
    for chunk in _chunks(genre_rows):
        db.session.execute(insert(collection_movie_genres).values(chunk))
    db.session.expire(collection, ["movies"])


def favourite_genres(*, owner_id: int, limit: int) -> list[str]:
    """The owner's genres with the most movies across all their collections.

    A movie counts once for each collection that holds it; ties go by code point.
    """
    movies = func.count().label("movies")
    genre = collection_movie_genres.c.genre
    query = (
        select(genre, movies)
        .join(Collection, Collection.uuid == collection_movie_genres.c.collection_id)
        .where(Collection.user_id == owner_id)
        .group_by(genre)
        .order_by(movies.desc(), genre.asc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars().all())
