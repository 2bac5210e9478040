"""Catalog queries. Never commits: the service owns the unit of work."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from src.catalog.models import Genre, Movie, movie_genres
from src.extensions import db

_EXACT_FILTERS = ("format", "release_year", "rating", "expiry_date")
_CASELESS_FILTERS = ("title", "director")


def get(*, movie_id: uuid.UUID) -> Movie | None:
    return db.session.get(Movie, movie_id)


def add(movie: Movie) -> None:
    db.session.add(movie)


def delete(movie: Movie) -> None:
    db.session.delete(movie)


def find_by_title_and_year(*, title: str, release_year: int) -> Movie | None:
    query = select(Movie).where(
        _same_caseless(Movie.title, title), Movie.release_year == release_year
    )
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _same_caseless(column: Any, value: str) -> ColumnElement[bool]:
    # Both sides through the database's lower(), the same function the unique indexes use:
    # Python's str.lower() and SQLite's lower() disagree beyond ASCII.
    return func.lower(column) == func.lower(value)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: dict[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name in _EXACT_FILTERS:
        if name in filters:
            conditions.append(getattr(Movie, name) == filters[name])
    for name in _CASELESS_FILTERS:
        if name in filters:
            conditions.append(_same_caseless(getattr(Movie, name), filters[name]))
    if "genre" in filters:
        has_genre = (
            select(movie_genres.c.movie_id)
            .join(Genre, Genre.id == movie_genres.c.genre_id)
            .where(_same_caseless(Genre.name, filters["genre"].strip()))
        )
        conditions.append(Movie.id.in_(has_genre))
    if "q" in filters:
        pattern = func.lower(f"%{_escape_like(filters['q'])}%")
        conditions.append(
            func.lower(Movie.title).like(pattern, escape="\\")
            | func.lower(Movie.director).like(pattern, escape="\\")
        )
    return conditions


def _ordering(sort: str) -> list[Any]:
    order: list[Any] = []
    for key in (part.strip() for part in sort.split(",")):
        column = getattr(Movie, key.removeprefix("-"))
        order.append(column.desc() if key.startswith("-") else column.asc())
    order.append(Movie.id.asc())  # a total order, so pages never overlap or skip
    return order


def search(*, sort: str, **filters: Any) -> Select[Movie]:
    """Movies matching every given filter, in the requested order."""
    return select(Movie).where(*_conditions(filters)).order_by(*_ordering(sort))


def expiring_between(*, start: date, end: date) -> Select[Movie]:
    """Movies whose expiry date lies in [start, end], soonest first."""
    return (
        select(Movie)
        .where(Movie.expiry_date.between(start, end))
        .order_by(Movie.expiry_date.asc(), Movie.title.asc(), Movie.id.asc())
    )


def genres_with_counts() -> Select[str, int]:
    """Every genre with the number of movies that have it, by name."""
    count = func.count(movie_genres.c.movie_id)
    return (
        select(Genre.name, count.label("movie_count"))
        .outerjoin(movie_genres, movie_genres.c.genre_id == Genre.id)
        .group_by(Genre.id, Genre.name)
        .order_by(func.lower(Genre.name))
    )


def _find_genre(name: str) -> Genre | None:
    query = select(Genre).where(_same_caseless(Genre.name, name))
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def get_or_create_genres(*, names: list[str]) -> list[Genre]:
    """The genres with these names, made when new; duplicates by case are merged."""
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.strip().lower(), name.strip())
    genres: dict[int, Genre] = {}
    for name in unique.values():
        genre = _find_genre(name) or _create_genre(name=name)
        genres.setdefault(genre.id, genre)  # names Python tells apart may be one genre
    return list(genres.values())


def _create_genre(*, name: str) -> Genre:
    # A concurrent request may create the same genre first; the savepoint keeps
    # the rest of this unit of work intact when that happens.
    try:
        with db.session.begin_nested():
            genre = Genre(name=name)
            db.session.add(genre)
        return genre
    except IntegrityError:
        existing = _find_genre(name)
        if existing is None:
            raise
        return existing
