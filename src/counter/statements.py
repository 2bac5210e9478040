"""Every statement on the request_counter table, in one place: the counting layer's own strings
(Postgres: prepared once per session and run through libpq; SQLite: a DB-API cursor's, a third
of an SQLAlchemy execute; either runs on every request) and the read and the resets that run
in the request's session."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text, update

from src.counter.models import RequestCounterSlot


@dataclass(frozen=True)
class Increment:
    """One backend's increment: one UPDATE of one row, in a transaction of its own."""

    increment: str
    # Only when the slot's row is missing (more slots configured than the migration made).
    increment_new_slot: str
    begin: str = ""
    commit: str = ""


# Autocommit: the UPDATE is its own transaction. libpq's placeholders: the slot is $1, the
# requests it counts (src/counter/group_commit.py) $2.
POSTGRES_INCREMENT = Increment(
    increment="UPDATE request_counter SET count = count + $2::bigint WHERE slot = $1::integer",
    increment_new_slot="INSERT INTO request_counter (slot, count)"
    " VALUES ($1::integer, $2::bigint)"
    " ON CONFLICT (slot) DO UPDATE SET count = request_counter.count + excluded.count",
)
# One writer at a time: take the write lock up front rather than fail on a stale snapshot.
SQLITE_INCREMENT = Increment(
    increment="UPDATE request_counter SET count = count + 1 WHERE slot = ?",
    increment_new_slot="INSERT INTO request_counter (slot, count) VALUES (?, 1)"
    " ON CONFLICT (slot) DO UPDATE SET count = request_counter.count + 1",
    begin="BEGIN IMMEDIATE",
    commit="COMMIT",
)

TOTAL = select(func.sum(RequestCounterSlot.count))
# Locks every slot (waiting for increments in flight), zeroes it and returns what it held, so
# an increment lands either before the reset (in its sum) or after it, never in neither.
ZERO_RETURNING_OLD_COUNTS = text(
    "UPDATE request_counter AS c SET count = 0"
    " FROM (SELECT slot, count FROM request_counter FOR UPDATE) AS old"
    " WHERE c.slot = old.slot"
    " RETURNING old.count"
)
# SQLite: a write that changes nothing, to take the write lock before reading the sum.
TAKE_WRITE_LOCK = update(RequestCounterSlot).values(count=RequestCounterSlot.count)
ZERO_ALL = update(RequestCounterSlot).values(count=0)
