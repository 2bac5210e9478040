"""Named revisions of cached data: bumped in each write's transaction, read by every cached
read (src/caching.py keeps the answers under them)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import NamedTuple

from flask import g
from sqlalchemy import bindparam, column, table, text

from src.dialects import DriverQuery
from src.extensions import db

_STAMP_BITS = 62

# Both SQLite (3.24+) and Postgres read this upsert alike. A bump holds the row's lock until
# its transaction ends: concurrent writers queue on it, and none of their bumps is lost.
_BUMP = text(
    "INSERT INTO revisions (name, value, stamp, owner_id) VALUES (:name, 1, :stamp, :owner_id) "
    "ON CONFLICT (name) DO UPDATE SET value = revisions.value + 1, stamp = excluded.stamp"
)
_CURRENT = DriverQuery("SELECT value, stamp FROM revisions WHERE name = {}")
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
    # Every read asks this: the driver's own SQL, no statement compiled.
    row = _CURRENT.first(db.session.connection(), name)
    return NO_REVISION if row is None else Revision(row[0], row[1])


def read_with_token(name: str, revision: Revision) -> None:
    """Keep revision `name` as the token check read it, for this request's reads."""
    g.setdefault(_GATE_READ, {})[name] = revision


def request_revision(name: str) -> Revision:
    """Revision `name` for this request's read: the token check's when the view declared it
    (read in the check's statement, no statement more), else looked up now (`current`).

    The token check's statement ran before the view reads anything, and saw every commit
    made before it started (on its own autocommit connection, src/direct_reads.py, or as
    the first statement of the session's transaction): what the view reads after it is never
    older than that revision. An answer is at worst newer than the revision it is kept under,
    never staler (and the next bump makes it unreachable).
    """
    found = g.get(_GATE_READ, {}).get(name) if g else None
    return current(name) if found is None else found


def current_many(names: Sequence[str]) -> dict[str, Revision]:
    """Several revisions in one statement."""
    rows = db.session.execute(_CURRENT_MANY, {"names": list(names)})
    found = {row.name: Revision(row.value, row.stamp) for row in rows}
    return {name: found.get(name, NO_REVISION) for name in names}
