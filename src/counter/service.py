"""The request count: read it, reset it."""

from __future__ import annotations

from src.counter import repository
from src.extensions import db


def request_count() -> int:
    """Requests served since the last reset; the asking request is counted after it answers."""
    return repository.total()


def reset_request_count() -> int:
    """Zero the count in one transaction; returns the count it zeroed."""
    # Start a fresh transaction whose first statement writes: on SQLite a transaction that has
    # read (the token's user) cannot upgrade to a write once another connection has committed.
    db.session.rollback()
    before = repository.zero_all_slots()
    db.session.commit()
    return before
