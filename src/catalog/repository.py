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
        func.lower(Movie.title) == title.lower(), Movie.release_year == release_year
    )
    return db.session.execute(query.limit(1)).scalar_one_or_none()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(filters: dict[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name in _EXACT_FILTERS:
        if name in filters:
            conditions.append(getattr(Movie, name) == filters[name])
    for name in _CASELESS_FILTERS:
        if name in filters:
            conditions.append(func.lower(getattr(Movie, name)) == filters[name].lower())
    if "genre" in filters:
        has_genre = (
            select(movie_genres.c.movie_id)
            .join(Genre, Genre.id == movie_genres.c.genre_id)
            .where(func.lower(Genre.name) == filters["genre"].strip().lower())
        )
        conditions.append(Movie.id.in_(has_genre))
    if "q" in filters:
        pattern = f"%{_escape_like(filters['q'].lower())}%"
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


def _find_genre(key: str) -> Genre | None:
    query = select(Genre).where(func.lower(Genre.name) == key)
    return db.session.execute(query).scalar_one_or_none()


def get_or_create_genres(*, names: list[str]) -> list[Genre]:
    """The genres with these names, made when new; duplicates by case are merged."""
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.strip().lower(), name.strip())
    genres = []
    for key, name in unique.items():
        genre = _find_genre(key)
        if genre is None:
            genre = _create_genre(name=name, key=key)
        genres.append(genre)
    return genres


def _create_genre(*, name: str, key: str) -> Genre:
    # A concurrent request may create the same genre first; the savepoint keeps
    # the rest of this unit of work intact when that happens.
    try:
        with db.session.begin_nested():
            genre = Genre(name=name)
            db.session.add(genre)
        return genre
    except IntegrityError:
        existing = _find_genre(key)
        if existing is None:
            raise
        return existing
