"""Cached reads answered again before their view runs, for a request met before.

A cached read's answer is made from an entry of the read cache (src/caching.py), kept under
the revision of its data and the canonical (validated) query; a list adds the links of the
request around it. This module keeps, per process, how each answer was made for the request
exactly as sent (the revision, scheme, host, path and query string): the entry's key and the
links. The same request again, under the same revision, is answered from that entry with
those links, byte for byte the answer its view would make, without parsing its query again
(webargs), building its keys and links, or flask-smorest's wrapping. A request not met yet,
or whose entry the cache's bounds pushed out, runs the view: its query is validated (422 for
a bad one, never kept) and the view answers as ever.

The index is bounded like the read cache: READ_CACHE_MAX_ENTRIES requests, and a quarter of
READ_CACHE_MAX_BYTES (it holds keys and links, never a body)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, request

from src import revisions
from src.accounts.auth import current_principal
from src.caching import CachedResponse, KeptAnswer, ReadCache, answer_again, bounded_cache

F = TypeVar("F", bound=Callable[..., Any])
INDEX_SHARE_OF_BYTES = 4  # the index may hold this fraction of the read cache's byte bound
_EXTENSION = "read_cache_requests"


def request_index(app: Flask | None = None) -> ReadCache:
    """This process's index of the requests met, made on first use (anew after a fork)."""
    return bounded_cache(_EXTENSION, app, byte_share=INDEX_SHARE_OF_BYTES)


def _request_key(revision_name: str) -> str:
    revision = revisions.request_revision(revision_name)
    query = request.query_string.decode("latin-1")
    return (
        "|".join((revision_name, revision.tag(), request.scheme, request.host, request.root_path))
        + f"|{request.path}?{query}"
    )


def answers_repeats(view: F) -> F:
    """Answer a request met before from the read cache directly (see the module). Goes
    above the view's other decorators, below its route; the view declares its revision
    (@reads_revision) and answers from the read cache."""
    revision_read = getattr(view, "revision_read", None)
    if revision_read is None:
        raise TypeError(f"{view.__name__} declares no revision (@reads_revision)")

    @wraps(view)
    def answered(*args: Any, **kwargs: Any) -> Any:
        name = revision_read(current_principal().id) if callable(revision_read) else revision_read
        key = _request_key(name)
        index = request_index()
        kept: KeptAnswer | None = index.get(key)
        again = None if kept is None else answer_again(kept)
        if again is not None:
            return again
        response = view(*args, **kwargs)
        if isinstance(response, CachedResponse) and response.kept is not None:
            index.put(key, response.kept)
        return response

    return answered  # type: ignore[return-value]
