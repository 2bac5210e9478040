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
from dataclasses import dataclass
from typing import Any

from flask import Response, request, url_for

from src import caching, revisions
from src.catalog import service
from src.catalog.schemas import GenreSchema, MovieSchema
from src.catalog.service import CATALOG_REVISION
from src.pagination import page_link

_movie = MovieSchema()
_movies = MovieSchema(many=True)
_genres = GenreSchema(many=True)
_PAGING = ("page", "page_size", "cursor", "sort")


def _page(
    kind: str, query: dict[str, Any], run: Callable[[], dict[str, Any]], dump: Any
) -> Response:
    revision = revisions.request_revision(CATALOG_REVISION)
    key = caching.cache_key(kind, revision, caching.canonical(query))

    def make() -> caching.CachedPage:
        found = run()
        return caching.CachedPage.of(count=found["count"], items=dump.dump(found["data"]))

    entry = caching.read_cache().get_or_make(key, make)
    return caching.answer_page(entry, page=query["page"], page_size=query["page_size"], key=key)


@dataclass(frozen=True, slots=True)
class _Count:
    value: int

    @property
    def nbytes(self) -> int:
        return 32


@dataclass(frozen=True, slots=True)
class _SearchPage:
    page: caching.CachedPage
    more: bool
    next_cursor: str | None

    @property
    def nbytes(self) -> int:
        return self.page.nbytes + len(self.next_cursor or "")


def search_movies(query: dict[str, Any]) -> Response:
    """One page of the movies matching every filter given. The exact count is kept once per
    revision and filters (every page and cursor of one search shares it); a page by relevance
    brings it along, else it is counted on its own."""
    revision = revisions.request_revision(CATALOG_REVISION)
    cache = caching.read_cache()
    filters = {name: value for name, value in query.items() if name not in _PAGING}
    count_key = caching.cache_key("catalog.count", revision, caching.canonical(filters))

    def make() -> _SearchPage:
        found = service.search_movies(**query)
        known = found["count"]
        counted = cache.get_or_make(
            count_key,
            lambda: _Count(known if known is not None else service.count_movies(**filters)),
        )
        page = caching.CachedPage.of(count=counted.value, items=_movies.dump(found["data"]))
        return _SearchPage(page=page, more=found["more"], next_cursor=found["next_cursor"])

    key = caching.cache_key("catalog.search", revision, caching.canonical(query))
    entry = cache.get_or_make(key, make)
    return caching.answer_page(
        entry.page,
        page=query["page"],
        page_size=query["page_size"],
        links=_links(query, entry),
        key=key,
    )


def _links(query: dict[str, Any], entry: _SearchPage) -> tuple[str | None, str | None]:
    """next: the cursor after this page (by page number for results by relevance);
    previous: the page before by number, none after a cursor (cursors only go forward)."""
    page, page_size = query["page"], query["page_size"]
    if entry.next_cursor is not None:
        following: str | None = _cursor_link(entry.next_cursor)
    else:
        following = page_link(page + 1) if entry.more else None
    if "cursor" in query or page == 1:
        return following, None
    last_page = max(1, -(-entry.page.count // page_size))
    return following, page_link(min(page - 1, last_page))


def _cursor_link(cursor: str) -> str:
    args: dict[str, Any] = request.args.to_dict(flat=False)
    args.pop("page", None)
    args["cursor"] = [cursor]
    return url_for(request.endpoint or "", _external=True, **args)


def expired_movies(query: dict[str, Any]) -> Response:
    """One page of the movies expiring in the range."""
    return _page("catalog.expired", query, lambda: service.expired_movies(**query), _movies)


def list_genres(query: dict[str, Any]) -> Response:
    """One page of genres with their movie counts."""
    return _page("catalog.genres", query, lambda: service.list_genres(**query), _genres)


def get_movie(movie_id: uuid.UUID) -> Response:
    """One movie (a missing one is NotFound, computed each time and never kept)."""
    revision = revisions.request_revision(CATALOG_REVISION)
    key = caching.cache_key("catalog.movie", revision, str(movie_id))

    def make() -> caching.CachedBody:
        return caching.CachedBody.of(_movie.dump(service.get_movie(movie_id=movie_id)))

    return caching.answer_body(caching.read_cache().get_or_make(key, make), key=key)
