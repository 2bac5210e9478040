"""Read caches that cannot go stale: answers kept per process under the revision of their data.

Every write of cached data bumps a named revision in the write's transaction
(src/revisions.py `bump`), so the new revision is visible exactly when the write is. A read
looks the revision up (`request_revision`: from the token check's statement, or one statement
by primary key) and answers what this process keeps for (revision, the
canonical request), computing it once when missing. Nothing is guessed from time: an answer
is kept until the bound pushes it out, and a bump makes it unreachable on every instance.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, request

from src.pagination import envelope
from src.per_process import PerProcess, per_process
from src.revisions import Revision

CACHE_CONTROL = "private, no-cache"  # clients keep the answer but revalidate it every time
# Public pages: any cache may keep them but revalidates every time (NGINX's microcache ignores
# it and keeps a page for its own second).
PAGE_CACHE_CONTROL = "no-cache"
NOT_MODIFIED = "Not modified: If-None-Match holds the current ETag. No body."
# What an entry costs beyond its bytes and key: the dict slot, the tuple, the entry object.
ENTRY_OVERHEAD_BYTES = 400
# An answer over this share of the byte bound is served but not kept.
LARGEST_SHARE = 16


def canonical(arguments: Mapping[str, Any]) -> str:
    """Validated arguments in a fixed order, unambiguous: `?a=1&b=2` and `?b=2&a=1` agree."""
    return repr(sorted(arguments.items()))


class Cacheable(Protocol):
    @property
    def nbytes(self) -> int: ...


V = TypeVar("V", bound=Cacheable)


class ReadCache:
    """A least-recently-used map bounded in entries and in bytes, shared by a process's
    threads. Keys are strings; an entry over 1/LARGEST_SHARE of the byte bound is not kept."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def nbytes(self) -> int:
        """The bytes the entries are accounted for (bodies, keys, overhead)."""
        return self._bytes

    def get(self, key: str) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: str, value: Cacheable) -> None:
        size = value.nbytes + len(key) + ENTRY_OVERHEAD_BYTES
        if size > self.max_bytes // LARGEST_SHARE or self.max_entries < 1:
            return  # one large answer would push out many; it is computed each time
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= replaced[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self._bytes -= freed

    def get_or_make(self, key: str, make: Callable[[], V]) -> V:
        """The entry kept for key, else make() kept for the next request."""
        found: V | None = self.get(key)
        if found is None:
            found = make()
            self.put(key, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_EXTENSION = "read_cache"


def read_cache(app: Flask | None = None) -> ReadCache:
    """This process's read cache for the app, made on first use with the configured bounds;
    a forked worker starts with an empty one of its own."""
    return bounded_cache(_EXTENSION, app)


def bounded_cache(extension: str, app: Flask | None = None, *, byte_share: int = 1) -> ReadCache:
    """The app's per-process cache kept under `extension`, bounded by READ_CACHE_MAX_ENTRIES
    and 1/byte_share of READ_CACHE_MAX_BYTES; made on first use, anew after a fork."""
    target = app if app is not None else current_app
    holder: PerProcess[ReadCache] | None = target.extensions.get(extension)
    if holder is None:
        config = target.config
        made = per_process(
            lambda: ReadCache(
                max_entries=config["READ_CACHE_MAX_ENTRIES"],
                max_bytes=config["READ_CACHE_MAX_BYTES"] // byte_share,
            )
        )
        holder = target.extensions.setdefault(extension, made)
    return holder.get()


def cache_key(kind: str, revision: Revision, request_key: str) -> str:
    return f"{kind}|{revision.tag()}|{request_key}"


def to_json(value: Any) -> bytes:
    """Serialise a dumped (plain) value once, for every request that the entry answers."""
    return current_app.json.dumps(value).encode()


def _digest(*parts: bytes) -> str:
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(part)
    return hashed.hexdigest()


@dataclass(frozen=True, slots=True)
class CachedBody:
    """A whole JSON answer and its strong ETag (a digest of the bytes)."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, value: Any) -> CachedBody:
        body = to_json(value)
        return cls(body=body, etag=_digest(body))

    @classmethod
    def of_html(cls, page: str) -> CachedBody:
        """A rendered page and its strong ETag."""
        body = page.encode()
        return cls(body=body, etag=_digest(body))

    @property
    def nbytes(self) -> int:
        return len(self.body) + len(self.etag)


@dataclass(frozen=True, slots=True)
class CachedPage:
    """One page of a list: its count and its items as JSON. The envelope's absolute links
    depend on the request's scheme, host and query string, so each answer adds its own."""

    count: int
    data: bytes
    digest: str

    @classmethod
    def of(cls, *, count: int, items: Any) -> CachedPage:
        data = to_json(items)
        return cls(count=count, data=data, digest=_digest(data))

    @property
    def nbytes(self) -> int:
        return len(self.data) + len(self.digest)

    @property
    def page(self) -> CachedPage:
        """Itself: an entry that holds a page (a search's holds more) names it `page`."""
        return self


@dataclass(frozen=True, slots=True)
class KeptAnswer:
    """How an answer was made from the read cache: the key of its entry and, for a page, the
    links put around it. What src/repeat_reads.py keeps per request as sent."""

    key: str
    links: tuple[str | None, str | None] | None = None

    @property
    def nbytes(self) -> int:
        return len(self.key) + sum(len(link or "") for link in self.links or ())


class CachedResponse(Response):
    """An answer of the read cache (200, or 304 without a body), and how it was made."""

    kept: KeptAnswer | None = None


def answer(body: bytes, etag: str, kept: KeptAnswer | None = None) -> CachedResponse:
    """200 with the body, or 304 without one when If-None-Match holds this ETag."""
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(etag):
        # The type is dropped from a 304 on the wire; the security headers still see an API answer.
        response = CachedResponse(status=304, mimetype="application/json")
    else:
        response = CachedResponse(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.kept = kept
    return response


def answer_body(entry: CachedBody, *, key: str | None = None) -> CachedResponse:
    """The kept body (entry `key` of the read cache, when named)."""
    return answer(entry.body, entry.etag, None if key is None else KeptAnswer(key))


def answer_page(
    entry: CachedPage,
    *,
    page: int,
    page_size: int,
    links: tuple[str | None, str | None] | None = None,
    key: str | None = None,
) -> CachedResponse:
    """The contract's envelope around a cached page, with this request's links: by page
    number, or `links` (next, previous) when the caller made them (a cursor's)."""
    if links is None:
        made = envelope(items=(), count=entry.count, page=page, page_size=page_size)
        links = (made["next"], made["previous"])
    return _around(entry, links, None if key is None else KeptAnswer(key, links))


def _around(
    entry: CachedPage, links: tuple[str | None, str | None], kept: KeptAnswer | None
) -> CachedResponse:
    following = json.dumps(links[0]).encode()
    preceding = json.dumps(links[1]).encode()
    body = b'{"count":%d,"next":%s,"previous":%s,"data":%s}' % (
        entry.count,
        following,
        preceding,
        entry.data,
    )
    # JSON values delimit themselves, so these parts name one body.
    tag = _digest(b"%d" % entry.count, following, preceding, entry.digest.encode())
    return answer(body, tag, kept)


def answer_again(kept: KeptAnswer) -> CachedResponse | None:
    """The answer made as `kept` says, from its entry; None once the entry has gone."""
    entry = read_cache().get(kept.key)
    if entry is None:
        return None
    if kept.links is None:
        return answer(entry.body, entry.etag, kept)
    return _around(entry.page, kept.links, kept)


def answer_html(entry: CachedBody) -> Response:
    """A cached public page: 200 with it, or 304 without a body when If-None-Match holds its
    ETag (typed HTML, so that its security headers are a page's)."""
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(entry.etag):
        response = Response(status=304, mimetype="text/html")
    else:
        response = Response(entry.body, mimetype="text/html")
    response.set_etag(entry.etag)
    response.headers["Cache-Control"] = PAGE_CACHE_CONTROL
    return response
