"""Catalog business rules; each public function is one unit of work."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from src import caching
from src.catalog import repository
from src.catalog.models import Movie
from src.errors import NotFound
from src.extensions import db
from src.pagination import paginate

_OPTIONAL_FIELDS = ("director", "description", "expiry_date", "imdb_score", "popularity")
# Bumped by every write of movies or genres, in its transaction: reads.py keeps answers by it.
# Each write bumps it first: its row lock is then the first lock every catalog write takes,
# so catalog writes queue on it in one order and never deadlock over the rows after it.
CATALOG_REVISION = "catalog"


def get_movie(*, movie_id: uuid.UUID) -> Movie:
    """One movie, or NotFound."""
    movie = repository.get(movie_id=movie_id)
    if movie is None:
        raise NotFound(f"No movie with id {movie_id}.")
    return movie


def create_movie(*, genres: list[str], **fields: Any) -> Movie:
    """Add a movie with its genres (made when new)."""
    caching.bump(CATALOG_REVISION)
    movie = Movie(genres=repository.get_or_create_genres(names=genres), **fields)
    repository.add(movie)
    db.session.commit()
    return movie


def replace_movie(*, movie_id: uuid.UUID, genres: list[str], **fields: Any) -> Movie:
    """Replace every field of a movie; optional fields not sent are cleared."""
    caching.bump(CATALOG_REVISION)
    movie = get_movie(movie_id=movie_id)
    for name in _OPTIONAL_FIELDS:
        setattr(movie, name, fields.pop(name, None))
    return _apply(movie, genres=genres, **fields)


def update_movie(*, movie_id: uuid.UUID, **changes: Any) -> Movie:
    """Change only the given fields of a movie."""
    caching.bump(CATALOG_REVISION)
    movie = get_movie(movie_id=movie_id)
    return _apply(movie, **changes)


def _apply(movie: Movie, *, genres: list[str] | None = None, **changes: Any) -> Movie:
    for name, value in changes.items():
        setattr(movie, name, value)
    if genres is not None:
        movie.genres = repository.get_or_create_genres(names=genres)
    db.session.commit()
    return movie


def delete_movie(*, movie_id: uuid.UUID) -> None:
    """Remove a movie; its genres stay for other movies."""
    caching.bump(CATALOG_REVISION)
    repository.delete(get_movie(movie_id=movie_id))
    db.session.commit()


def search_movies(*, page: int, page_size: int, sort: str, **filters: Any) -> dict[str, Any]:
    """One page of the movies that match every given filter."""
    statement = repository.search(sort=sort, **filters)
    return paginate(statement, page=page, page_size=page_size)


def expired_movies(*, date_from: date, date_to: date, page: int, page_size: int) -> dict[str, Any]:
    """One page of the movies whose expiry date is in the inclusive range."""
    statement = repository.expiring_between(start=date_from, end=date_to)
    return paginate(statement, page=page, page_size=page_size)


def list_genres(*, page: int, page_size: int) -> dict[str, Any]:
    """One page of genres with how many movies have each."""
    return paginate(
        repository.genres_with_counts(),
        page=page,
        page_size=page_size,
        scalars=False,
        transform=lambda row: {"name": row.name, "movie_count": row.movie_count},
    )
