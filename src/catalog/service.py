"""Catalog business rules; each public function is one unit of work."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from src import caching, revisions
from src.catalog import keyset, repository
from src.catalog.models import Movie
from src.errors import NotFound, ValidationFailed
from src.extensions import db
from src.pagination import paginate

_OPTIONAL_FIELDS = ("director", "description", "expiry_date", "imdb_score", "popularity")
# Bumped by every write of movies or genres, in its transaction: reads.py keeps answers by it.
# Each write bumps it first: its row lock is then the first lock every catalog write takes,
# so catalog writes queue on it in one order and never deadlock over the rows after it.
CATALOG_REVISION = "catalog"
DEFAULT_SORT = "title"
POSITION_EVERY = 10_000  # rows between the positions kept of a sort walked by offset
_CURSOR_NEEDS_SORT = "A cursor follows a sort: results by relevance are paged by `page`."


def get_movie(*, movie_id: uuid.UUID) -> Movie:
    """One movie, or NotFound."""
    movie = repository.get(movie_id=movie_id)
    if movie is None:
        raise NotFound(f"No movie with id {movie_id}.")
    return movie


def create_movie(*, genres: list[str], **fields: Any) -> Movie:
    """Add a movie with its genres (made when new)."""
    revisions.bump(CATALOG_REVISION)
    movie = Movie(genres=repository.get_or_create_genres(names=genres), **fields)
    repository.add(movie)
    db.session.commit()
    return movie


def replace_movie(*, movie_id: uuid.UUID, genres: list[str], **fields: Any) -> Movie:
    """Replace every field of a movie; optional fields not sent are cleared."""
    revisions.bump(CATALOG_REVISION)
    movie = get_movie(movie_id=movie_id)
    for name in _OPTIONAL_FIELDS:
        setattr(movie, name, fields.pop(name, None))
    return _apply(movie, genres=genres, **fields)


def update_movie(*, movie_id: uuid.UUID, **changes: Any) -> Movie:
    """Change only the given fields of a movie."""
    revisions.bump(CATALOG_REVISION)
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
    revisions.bump(CATALOG_REVISION)
    repository.delete(get_movie(movie_id=movie_id))
    db.session.commit()


def search_movies(
    *, page: int, page_size: int, sort: str | None = None, cursor: str | None = None, **filters: Any
) -> dict[str, Any]:
    """One page of the movies that match every given filter: `data`, where the next page
    starts (`next_cursor`, or `more` for an order a cursor cannot follow), and `count`, how
    many match in all when finding the page counted them (by relevance), else None."""
    if sort is None and "q" in filters:
        if cursor is not None:
            raise ValidationFailed(_CURSOR_NEEDS_SORT, errors={"cursor": [_CURSOR_NEEDS_SORT]})
        offset = (page - 1) * page_size
        found, total = repository.by_relevance(offset=offset, limit=page_size + 1, **filters)
        more = len(found) > page_size
        return {"data": found[:page_size], "more": more, "next_cursor": None, "count": total}
    sort = sort or DEFAULT_SORT
    keys = keyset.parse_sort(sort)
    query_key = caching.canonical({**filters, "sort": sort})
    if cursor is None:
        offset = (page - 1) * page_size
        start, after = _position_before(keys, offset, query_key, filters)
        found = repository.sorted_page(
            keys=keys, offset=offset - start, limit=page_size + 1, after=after, **filters
        )
    else:
        values = keyset.decode(cursor, keys, query_key=query_key)
        found = repository.after_cursor(keys=keys, values=values, limit=page_size + 1, **filters)
    movies = found[:page_size]
    more = len(found) > page_size
    following = keyset.encode(movies[-1], keys, query_key=query_key) if more else None
    return {"data": movies, "more": more, "next_cursor": following, "count": None}


@dataclass(frozen=True, slots=True)
class _Position:
    values: list[Any]

    @property
    def nbytes(self) -> int:
        return 64 + sum(len(str(value)) for value in self.values)


def _position_before(
    keys: list[keyset.SortKey], offset: int, query_key: str, filters: dict[str, Any]
) -> tuple[int, list[Any] | None]:
    """Where a page by offset may start counting: a position at or before offset and the
    sort values of the movie just before it (None: the start).

    An offset is skipped over the sort's index one entry at a time, so page 5,000 costs
    5,000 times page 1. Every POSITION_EVERY rows of a sort and its filters, the movie there
    is kept in the read cache under the catalog revision, the positions found on the way to
    the first deep page: a later page starts from the kept position just before it and skips
    fewer than POSITION_EVERY entries. Any write bumps the revision, so positions are never
    taken from another catalog than the one read. (A sort whose leading key may be NULL reads
    its rows in two ranges and is skipped from the start.)"""
    wanted = offset // POSITION_EVERY
    if wanted == 0 or not keyset.in_one_range(keys):
        return 0, None
    revision = revisions.request_revision(CATALOG_REVISION)
    cache = caching.read_cache()

    def kept_at(number: int) -> str:
        return caching.cache_key("catalog.position", revision, f"{query_key}@{number}")

    number, values = wanted, None
    while number > 0:
        kept = cache.get(kept_at(number))
        if kept is not None:
            values = kept.values
            break
        number -= 1
    if number < wanted:
        found = repository.positions_after(
            keys=keys, after=values, every=POSITION_EVERY, count=wanted - number, **filters
        )  # fewer when the page asked for is past the last movie
        for values in found:
            number += 1
            cache.put(kept_at(number), _Position(values))
    return number * POSITION_EVERY, values


def count_movies(**filters: Any) -> int:
    """How many movies match every given filter (exact)."""
    return repository.count(**filters)


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
