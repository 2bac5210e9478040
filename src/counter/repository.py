"""Reads and resets of the request count; never commits. The read is one prepared statement
on a direct connection where there is one (src/direct_reads.py), as the token check is: it
sees every increment committed before it, and takes no pooled connection."""

from __future__ import annotations

from src.counter.statements import TAKE_WRITE_LOCK, TOTAL, ZERO_ALL, ZERO_RETURNING_OLD_COUNTS
from src.direct_reads import PreparedRead, direct_reads
from src.extensions import db

_TOTAL_READ = PreparedRead("request_count_total", TOTAL)


def total() -> int:
    """The sum over every slot."""
    reads = direct_reads()
    if reads is None:
        return int(db.session.scalar(TOTAL) or 0)
    row = reads.first(_TOTAL_READ, {})
    return int((row[0] if row is not None else 0) or 0)


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
