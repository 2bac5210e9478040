"""Read caches that cannot go stale: answers kept per process under the revision of their data.

Every write of cached data bumps a named revision in the write's transaction (`bump`), so the
new revision is visible exactly when the write is. A read looks the revision up (`current`,
one statement by primary key) and answers what this process keeps for (revision, the
canonical request), computing it once when missing. Nothing is guessed from time: an answer
is kept until the bound pushes it out, and a bump makes it unreachable on every instance.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

from flask import Flask, Response, current_app, g, request
from sqlalchemy import bindparam, column, table, text

from src.extensions import db
from src.pagination import envelope
from src.per_process import PerProcess, per_process

CACHE_CONTROL = "private, no-cache"  # clients keep the answer but revalidate it every time
# Public pages: any cache may keep them but revalidates every time (NGINX's microcache ignores
# it and keeps a page for its own second).
PAGE_CACHE_CONTROL = "no-cache"
NOT_MODIFIED = "Not modified: If-None-Match holds the current ETag. No body."
# What an entry costs beyond its bytes and key: the dict slot, the tuple, the entry object.
ENTRY_OVERHEAD_BYTES = 400
# An answer over this share of the byte bound is served but not kept.
LARGEST_SHARE = 16
_STAMP_BITS = 62

# Both SQLite (3.24+) and Postgres read this upsert alike. A bump holds the row's lock until
# its transaction ends: concurrent writers queue on it, and none of their bumps is lost.
_BUMP = text(
    "INSERT INTO revisions (name, value, stamp, owner_id) VALUES (:name, 1, :stamp, :owner_id) "
    "ON CONFLICT (name) DO UPDATE SET value = revisions.value + 1, stamp = excluded.stamp"
)
_CURRENT = text("SELECT value, stamp FROM revisions WHERE name = :name")
_CURRENT_SQL = "SELECT value, stamp FROM revisions WHERE name = {}"
# The same statement in the DBAPI paramstyles of psycopg2 and sqlite3, and whether it takes
# its parameter by name.
_CURRENT_BY_PARAMSTYLE = {
    "pyformat": (_CURRENT_SQL.format("%(name)s"), True),
    "qmark": (_CURRENT_SQL.format("?"), False),
}
# As the token check joins it for the views that declare their revision (auth.reads_revision).
REVISIONS = table("revisions", column("name"), column("value"), column("stamp"))
_GATE_READ = "revisions_read_by_the_token_check"  # in `g`, read and written only here
_CURRENT_MANY = text("SELECT name, value, stamp FROM revisions WHERE name IN :names").bindparams(
    bindparam("names", expanding=True)
)


class Revision(NamedTuple):
    """A revision as a read sees it: the counter, and the stamp its last bump drew."""

    value: int
    stamp: int

    def tag(self) -> str:
        return f"{self.value}.{self.stamp}"


NO_REVISION = Revision(0, 0)  # never bumped (or its owner was deleted): the data as migrated


def bump(name: str, *, owner_id: int | None = None) -> None:
    """Advance revision `name` in the caller's transaction: it commits or rolls back with the
    write. owner_id names the user whose data it covers (the row goes with the user)."""
    stamp = 1 + secrets.randbits(_STAMP_BITS)
    db.session.execute(_BUMP, {"name": name, "stamp": stamp, "owner_id": owner_id})
    if g:  # this request's own write is newer than the revision its token check read
        g.get(_GATE_READ, {}).pop(name, None)


def current(name: str) -> Revision:
    """Revision `name` as this transaction sees it."""
    connection = db.session.connection()
    statement = _CURRENT_BY_PARAMSTYLE.get(connection.dialect.paramstyle)
    if statement is None:
        row = connection.execute(_CURRENT, {"name": name}).first()
    else:
        # Every read asks this: the driver's own SQL skips compiling a statement (about half
        # the CPU of the lookup), and errors still come wrapped as SQLAlchemy's.
        sql, by_name = statement
        row = connection.exec_driver_sql(sql, {"name": name} if by_name else (name,)).first()
    return NO_REVISION if row is None else Revision(row[0], row[1])


def read_with_token(name: str, revision: Revision) -> None:
    """Keep revision `name` as the token check read it, for this request's reads."""
    g.setdefault(_GATE_READ, {})[name] = revision


def request_revision(name: str) -> Revision:
    """Revision `name` for this request's read: the token check's when the view declared it
    (read in the check's statement, no statement more), else looked up now (`current`).

    The token check is the first statement of the request's transaction, so what the view
    reads after it is never older than that revision: an answer is at worst newer than the
    revision it is kept under, never staler (and the next bump makes it unreachable).
    """
    found = g.get(_GATE_READ, {}).get(name) if g else None
    return current(name) if found is None else found


def current_many(names: Sequence[str]) -> dict[str, Revision]:
    """Several revisions in one statement."""
    rows = db.session.execute(_CURRENT_MANY, {"names": list(names)})
    found = {row.name: Revision(row.value, row.stamp) for row in rows}
    return {name: found.get(name, NO_REVISION) for name in names}


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
    target = app if app is not None else current_app
    holder: PerProcess[ReadCache] | None = target.extensions.get(_EXTENSION)
    if holder is None:
        config = target.config
        made = per_process(
            lambda: ReadCache(
                max_entries=config["READ_CACHE_MAX_ENTRIES"],
                max_bytes=config["READ_CACHE_MAX_BYTES"],
            )
        )
        holder = target.extensions.setdefault(_EXTENSION, made)
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


def answer(body: bytes, etag: str) -> Response:
    """200 with the body, or 304 without one when If-None-Match holds this ETag."""
    if "If-None-Match" in request.headers and request.if_none_match.contains_weak(etag):
        # The type is dropped from a 304 on the wire; the security headers still see an API answer.
        response = Response(status=304, mimetype="application/json")
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def answer_body(entry: CachedBody) -> Response:
    return answer(entry.body, entry.etag)


def answer_page(
    entry: CachedPage,
    *,
    page: int,
    page_size: int,
    links: tuple[str | None, str | None] | None = None,
) -> Response:
    """The contract's envelope around a cached page, with this request's links: by page
    number, or `links` (next, previous) when the caller made them (a cursor's)."""
    if links is None:
        made = envelope(items=(), count=entry.count, page=page, page_size=page_size)
        links = (made["next"], made["previous"])
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
    return answer(body, tag)


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
