"""The catalog's reads, answered from the read cache under the catalog revision.

Every catalog write (service.py) bumps the catalog revision in its transaction; each read here
looks it up first, in the transaction that would compute the answer (the routes declare it,
so the token check's statement reads it), so what is computed is never older than the
revision it is kept under. The count, the page and its genres are
computed, and dumped to JSON, once per revision and canonical query in each process.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Response

from src import caching
from src.catalog import service
from src.catalog.schemas import GenreSchema, MovieSchema
from src.catalog.service import CATALOG_REVISION

_movie = MovieSchema()
_movies = MovieSchema(many=True)
_genres = GenreSchema(many=True)


def _page(
    kind: str, query: dict[str, Any], run: Callable[[], dict[str, Any]], dump: Any
) -> Response:
    revision = caching.request_revision(CATALOG_REVISION)
    key = caching.cache_key(kind, revision, caching.canonical(query))

    def make() -> caching.CachedPage:
        found = run()
        return caching.CachedPage.of(count=found["count"], items=dump.dump(found["data"]))

    entry = caching.read_cache().get_or_make(key, make)
    return caching.answer_page(entry, page=query["page"], page_size=query["page_size"])


def search_movies(query: dict[str, Any]) -> Response:
    """One page of the movies matching every filter given."""
    return _page("catalog.search", query, lambda: service.search_movies(**query), _movies)


def expired_movies(query: dict[str, Any]) -> Response:
    """One page of the movies expiring in the range."""
    return _page("catalog.expired", query, lambda: service.expired_movies(**query), _movies)


def list_genres(query: dict[str, Any]) -> Response:
    """One page of genres with their movie counts."""
    return _page("catalog.genres", query, lambda: service.list_genres(**query), _genres)


def get_movie(movie_id: uuid.UUID) -> Response:
    """One movie (a missing one is NotFound, computed each time and never kept)."""
    revision = caching.request_revision(CATALOG_REVISION)
    key = caching.cache_key("catalog.movie", revision, str(movie_id))

    def make() -> caching.CachedBody:
        return caching.CachedBody.of(_movie.dump(service.get_movie(movie_id=movie_id)))

    return caching.answer_body(caching.read_cache().get_or_make(key, make))
