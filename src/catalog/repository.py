"""Catalog queries. Never commits: the service owns the unit of work."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Select, case, func, literal, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from src import dialects
from src.catalog import keyset
from src.catalog.models import (
    Genre,
    Movie,
    catalog_genre_counts,
    catalog_words,
    movie_genres,
    movie_words,
)
from src.extensions import db

_EXACT_FILTERS = ("format", "release_year", "rating", "expiry_date")
# The filters catalog_genre_counts can count (genre given, the others or not).
_GENRE_COUNTED = frozenset({"genre", "format", "release_year"})
_CASELESS_FILTERS = ("title", "director")
# pg_trgm's word similarity from which a word counts as a near spelling of q: one typo
# (a swap or a wrong letter) in a word of eight letters scores about 0.5.
WORD_SIMILARITY = 0.45
# A q matched through the catalog's words (migration 0017): letters and digits only, one a
# letter, three or more (what a trigram index can look up). Such a q can only occur inside one
# word of a title or director, so "contains q" is "has a word that contains q".
_ONE_WORD = re.compile(r"(?=[a-z0-9]*[a-z])[a-z0-9]{3,}")


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
        # The genre's id looked up once (an InitPlan), then one primary-key probe a movie:
        # joining genres per row cost twice as much at a million movies.
        genre_id = _genre_id(filters["genre"])
        has_genre = select(movie_genres.c.movie_id).where(
            movie_genres.c.movie_id == Movie.id, movie_genres.c.genre_id == genre_id
        )
        conditions.append(has_genre.exists())
    if "q" in filters:
        conditions.append(_matches_text(filters["q"]))
    return conditions


def _genre_id(name: str) -> Any:
    return select(Genre.id).where(_same_caseless(Genre.name, name.strip())).scalar_subquery()


def _count_by_genre(filters: dict[str, Any]) -> int:
    """The movies of a genre (and format, release year) from their kept counts."""
    counts = catalog_genre_counts.c
    query = select(func.coalesce(func.sum(counts.movies), 0)).where(
        counts.genre_id == _genre_id(filters["genre"]),
        *(
            getattr(counts, name) == filters[name]
            for name in ("format", "release_year")
            if name in filters
        ),
    )
    return int(db.session.execute(query).scalar_one())


def _contains_text(q: str) -> ColumnElement[bool]:
    pattern = func.lower(f"%{_escape_like(q)}%")
    return func.lower(Movie.title).like(pattern, escape="\\") | func.lower(Movie.director).like(
        pattern, escape="\\"
    )


def _matches_text(q: str) -> ColumnElement[bool]:
    """A substring of title or director; where the database can tell, also a near spelling
    of a word in them (a one-word q through the catalog's words, any other through the GIN
    trigram indexes)."""
    if _by_words(q):
        words = _near_words_query(q).subquery()
        return _has_word(select(words.c.word))
    near = dialects.near_spelling(
        func.lower(q), func.lower(Movie.title), func.lower(Movie.director)
    )
    return _contains_text(q) if near is None else _contains_text(q) | near


def _by_words(q: str) -> bool:
    one_word = q.isascii() and _ONE_WORD.fullmatch(q.lower()) is not None
    return one_word and dialects.keeps_catalog_words()


def _near_words_query(q: str) -> Select[Any]:
    """The catalog's words that contain q or are within about one typo of it (the trigram
    index on the words answers both), each with whether it contains q, how close it is, and
    how many movies have it."""
    needle, word = literal(q.lower()), catalog_words.c.word
    contains = word.like(f"%{q.lower()}%")  # q is letters and digits: nothing to escape
    closeness = func.word_similarity(needle, word)
    return select(word, contains.label("contains"), closeness, catalog_words.c.movies).where(
        contains | needle.op("<%")(word), catalog_words.c.movies > 0
    )


def _has_word(words: Any) -> ColumnElement[bool]:
    """The movie has one of `words` (a list, or a select of them) in its title or director."""
    return (
        select(movie_words.c.movie_id)
        .where(
            movie_words.c.word.in_(words),
            movie_words.c.title == Movie.title,
            movie_words.c.movie_id == Movie.id,
        )
        .exists()
    )


@dataclass(frozen=True)
class _Tier:
    """The words of one rank of relevance, and how many movies have their best word here."""

    words: list[str]
    movies: int


def _tiers(q: str, filters: dict[str, Any]) -> list[_Tier]:
    """The near words of q by relevance (containing q first, then closest first), grouped by
    equal rank, each with how many movies (also matching filters) have their best word in it:
    one word's own count, else one pass over the words' primary-key ranges; the movies' rows
    only when other filters ask for them."""
    found = db.session.execute(_near_words_query(q)).all()
    ranked = sorted(found, key=lambda row: (not row[1], -row[2], row[0]))
    groups = [
        [row[0] for row in rows]
        for _, rows in groupby(ranked, key=lambda row: (not row[1], -row[2]))
    ]
    if not groups:
        return []
    rank_of = {word: rank for rank, words in enumerate(groups) for word in words}
    every_word = list(rank_of)
    if len(found) == 1 and not filters:
        return [_Tier(every_word, int(found[0][3]))]  # the word's own count
    best = func.min(case(rank_of, value=movie_words.c.word)).label("best")
    per_movie = select(best).where(movie_words.c.word.in_(every_word))
    if filters:
        per_movie = per_movie.join(Movie, Movie.id == movie_words.c.movie_id).where(
            *_conditions(filters)
        )
    ranks = per_movie.group_by(movie_words.c.movie_id).subquery()
    counts: dict[int, int] = dict(
        db.session.execute(select(ranks.c.best, func.count()).group_by(ranks.c.best)).all()
    )
    return [_Tier(words, int(counts.get(rank, 0))) for rank, words in enumerate(groups)]


def _by_word_relevance(
    q: str, offset: int, limit: int, filters: dict[str, Any]
) -> tuple[list[Movie], int]:
    """A page by relevance of a one-word q, and the exact count (from the tiers' counts): tier
    by tier (a movie in the tier of its best word), each by title, read in that order from
    the words' (word, title, movie_id) ranges; then only the page's movies are read."""
    tiers = _tiers(q, filters)
    ids: list[uuid.UUID] = []
    better: list[str] = []
    skip = offset
    for tier in tiers:
        if len(ids) < limit and skip < tier.movies:
            page = _tier_page(tier.words, better, filters).offset(skip).limit(limit - len(ids))
            ids.extend(db.session.scalars(page))
        skip = max(0, skip - tier.movies)
        better = better + tier.words
    total = sum(tier.movies for tier in tiers)
    if not ids:
        return [], total
    found = {
        movie.id: movie for movie in db.session.scalars(select(Movie).where(Movie.id.in_(ids)))
    }
    # A movie deleted by another transaction between the statements is left out.
    return [found[movie_id] for movie_id in ids if movie_id in found], total


def _tier_page(words: list[str], better: list[str], filters: dict[str, Any]) -> Select[Any]:
    """The ids of the movies that have one of `words` and none of `better`, by title."""
    has = movie_words
    page = select(has.c.movie_id).where(has.c.word.in_(words))
    if better:
        other = movie_words.alias("better")
        page = page.where(
            ~select(other.c.movie_id)
            .where(
                other.c.word.in_(better),
                other.c.title == has.c.title,
                other.c.movie_id == has.c.movie_id,
            )
            .exists()
        )
    if filters:
        page = page.join(Movie, Movie.id == has.c.movie_id).where(*_conditions(filters))
    if len(words) > 1:  # a movie with two of the words is one result
        page = page.group_by(has.c.title, has.c.movie_id)
    return page.order_by(has.c.title.asc(), has.c.movie_id.asc())


def _relevance(q: str) -> list[Any]:
    """Substring matches first, then by how close the nearest word is, then by title."""
    first: list[Any] = [case((_contains_text(q), 0), else_=1)]
    closeness = dialects.spelling_closeness(
        func.lower(q), func.lower(Movie.title), func.lower(Movie.director)
    )
    if closeness is not None:
        first.append(closeness.desc())
    return [*first, Movie.title.asc(), Movie.id.asc()]


def _allow_typos(filters: dict[str, Any]) -> None:
    """How far a word may be from q, for the rest of this transaction."""
    if "q" in filters:
        dialects.allow_typos(similarity=WORD_SIMILARITY)


def matching(**filters: Any) -> Select[tuple[Movie]]:
    """Movies matching every given filter, unordered."""
    return select(Movie).where(*_conditions(filters))


def search(*, sort: str, **filters: Any) -> Select[tuple[Movie]]:
    """Movies matching every given filter, in the order of `sort` (see keyset.parse_sort)."""
    return matching(**filters).order_by(*keyset.ordering(keyset.parse_sort(sort)))


def count(**filters: Any) -> int:
    """How many movies match every given filter."""
    _allow_typos(filters)
    if set(filters) == {"q"} and _by_words(filters["q"]):
        return sum(tier.movies for tier in _tiers(filters["q"], {}))
    if "genre" in filters and filters.keys() <= _GENRE_COUNTED and dialects.keeps_genre_counts():
        return _count_by_genre(filters)
    query = select(func.count()).select_from(Movie).where(*_conditions(filters))
    return int(db.session.execute(query).scalar_one())


def by_relevance(
    *, q: str, offset: int, limit: int, **filters: Any
) -> tuple[list[Movie], int | None]:
    """A page of the movies matching q (and the filters), the closest matches first, and how
    many match in all (None for an empty page after the first: the rows that would say so are
    before it)."""
    _allow_typos({"q": q})
    if _by_words(q):
        return _by_word_relevance(q, offset, limit, filters)
    # Ranking reads every match anyway: counting them in the same statement costs one index
    # scan and one pass over the rows instead of two. It keeps the ids of the matches, not
    # their whole rows; only the page's own movies are read whole.
    total = func.count().over().label("total")
    ranked = select(Movie.id, total).where(*_conditions({"q": q, **filters}))
    rows = db.session.execute(ranked.order_by(*_relevance(q)).offset(offset).limit(limit)).all()
    if not rows:
        return [], 0 if offset == 0 else None
    found = {
        movie.id: movie
        for movie in db.session.scalars(select(Movie).where(Movie.id.in_([r.id for r in rows])))
    }
    # A movie deleted by another transaction between the two statements is left out.
    return [found[row.id] for row in rows if row.id in found], int(rows[0].total)


def sorted_page(
    *,
    keys: list[keyset.SortKey],
    offset: int,
    limit: int,
    after: list[Any] | None = None,
    **filters: Any,
) -> list[Movie]:
    """A page by offset in the order of keys, counted from the start or from the rows after
    the position `after` (then the keys must be keyset.in_one_range)."""
    _allow_typos(filters)
    order = keyset.ordering(keys)
    # The offset is skipped over the ids alone (an index-only scan of the sort's index), and
    # only the page's own movies are read from the table: page 5,000 skips index entries,
    # not 100,000 rows.
    page_ids = (
        select(Movie.id)
        .where(*_conditions(filters), *_from(keys, after))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )
    query = select(Movie).where(Movie.id.in_(page_ids.scalar_subquery())).order_by(*order)
    return list(db.session.scalars(query))


def positions_after(
    *, keys: list[keyset.SortKey], after: list[Any] | None, every: int, count: int, **filters: Any
) -> list[list[Any]]:
    """The sort values (one a key, the id last) of the movie every `every` rows past the
    position `after` (past the start when None): of the every-th, the 2*every-th, ... up to
    `count` of them, fewer when the movies run out."""
    _allow_typos(filters)
    columns = [key.column for key in keys]
    order = keyset.ordering(keys)

    def step(start: list[Any] | None) -> Select[Any]:
        query = select(*columns).where(*_conditions(filters), *_from(keys, start))
        return query.order_by(*order).offset(every - 1).limit(1)

    if not (dialects.joins_lateral() and keyset.one_row_value(keys)):  # a statement a step
        found: list[list[Any]] = []
        start = after
        while len(found) < count and (row := db.session.execute(step(start)).first()) is not None:
            start = list(row)
            found.append(start)
        return found
    # One statement: each step skips from the last step's movie, found by the sort's index.
    head = select(step(after).add_columns(literal(1).label("step")).subquery("first"))
    walk = head.cte("walk", recursive=True)
    following = (
        select(*columns)
        .where(*_conditions(filters), keyset.one_range(keys, [walk.c[k.name] for k in keys]))
        .order_by(*order)
        .offset(every - 1)
        .limit(1)
        .lateral("following")
    )
    number = (walk.c.step + 1).label("step")
    walk = walk.union_all(
        select(*following.c, number)
        .select_from(walk.join(following, true()))
        .where(walk.c.step < count)
    )
    rows = db.session.execute(select(*(walk.c[key.name] for key in keys)).order_by(walk.c.step))
    return [list(row) for row in rows]


def _from(keys: list[keyset.SortKey], after: list[Any] | None) -> list[ColumnElement[bool]]:
    if after is None:
        return []
    return [keyset.one_range(keys, after)]


def after_cursor(
    *, keys: list[keyset.SortKey], values: list[Any], limit: int, **filters: Any
) -> list[Movie]:
    """Up to `limit` movies after the position `values` in the order of keys."""
    _allow_typos(filters)
    movies: list[Movie] = []
    for segment in keyset.segments(keys, values):
        query = matching(**filters).where(segment).order_by(*keyset.ordering(keys))
        movies.extend(db.session.scalars(query.limit(limit - len(movies))))
        if len(movies) >= limit:
            break
    return movies


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
