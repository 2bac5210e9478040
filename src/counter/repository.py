"""Reads and resets of the request count, in the request's own session; never commits."""

from __future__ import annotations

from src.counter.statements import TAKE_WRITE_LOCK, TOTAL, ZERO_ALL, ZERO_RETURNING_OLD_COUNTS
from src.extensions import db


def total() -> int:
    """The sum over every slot."""
    return int(db.session.scalar(TOTAL) or 0)


def zero_all_slots() -> int:
    """Set every slot to 0 in the current transaction; returns the sum they held."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sum(db.session.scalars(ZERO_RETURNING_OLD_COUNTS))
    # SQLite: write first. Holding the write lock, no increment can commit between the sum and
    # the zeroing. (This must be the transaction's first statement; see service.)
    db.session.execute(TAKE_WRITE_LOCK)
    before = total()
    db.session.execute(ZERO_ALL)
    return before
