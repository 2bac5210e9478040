"""Reads and resets of the request count, in the request's own session; never commits."""

from __future__ import annotations

from sqlalchemy import func, select, text, update

from src.counter.models import RequestCounterSlot
from src.extensions import db

# Locks every slot (waiting for increments in flight), zeroes it and returns what it held, so
# an increment lands either before the reset (in its sum) or after it, never in neither.
_ZERO_RETURNING_OLD_COUNTS = text(
    "UPDATE request_counter AS c SET count = 0"
    " FROM (SELECT slot, count FROM request_counter FOR UPDATE) AS old"
    " WHERE c.slot = old.slot"
    " RETURNING old.count"
)


def total() -> int:
    """The sum over every slot."""
    return int(db.session.scalar(select(func.sum(RequestCounterSlot.count))) or 0)


def zero_all_slots() -> int:
    """Set every slot to 0 in the current transaction; returns the sum they held."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sum(db.session.scalars(_ZERO_RETURNING_OLD_COUNTS))
    # SQLite: write first. Holding the write lock, no increment can commit between the sum and
    # the zeroing. (This must be the transaction's first statement; see service.)
    db.session.execute(update(RequestCounterSlot).values(count=RequestCounterSlot.count))
    before = total()
    db.session.execute(update(RequestCounterSlot).values(count=0))
    return before
