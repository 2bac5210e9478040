"""What the app's connection pool holds while an upstream answers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from src.clients.outbound import UpstreamPolicy, session_for
from src.extensions import db


@contextmanager
def pool_checkouts_during_calls(policy: UpstreamPolicy) -> Iterator[list[int]]:
    """The app's connections checked out (db.engine's pool) at each answer of the upstream
    of `policy`, while the call is still under way: a response hook on this process's
    session for it, run in the request's thread."""
    seen: list[int] = []

    def record(response: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(db.engine.pool.checkedout())  # type: ignore[attr-defined]

    hooks = session_for(policy).hooks["response"]
    hooks.append(record)
    try:
        yield seen
    finally:
        hooks.remove(record)
