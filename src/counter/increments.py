"""The counter's increments on Postgres: one prepared UPDATE on one of the process's direct
connections (src/direct_connections.py), the ones its token checks use, adding the requests
of one group commit (src/counter/group_commit.py).

This runs on every request the service answers, so it takes the cheapest path measured here
(`python -m bench.counter`): no pool checkout, no SQLAlchemy or psycopg cursor on the way, and
Postgres parses and plans the UPDATE once per connection instead of once per request. A
connection the server ended while idle (a restart) is found before the UPDATE is sent and
replaced, so that request is still counted.
"""

from __future__ import annotations

import random

import psycopg

from src.counter.statements import POSTGRES_INCREMENT
from src.direct_connections import DirectConnections


class CounterUnavailable(RuntimeError):
    """The store could not count a request (database down, pool or lock timeout)."""


_INCREMENT = b"count_request"
_INCREMENT_SQL = POSTGRES_INCREMENT.increment.encode()
_INCREMENT_NEW_SLOT_SQL = POSTGRES_INCREMENT.increment_new_slot.encode()


class PostgresIncrements:
    """Counts into Postgres's striped rows over `connections`: an autocommitted UPDATE of one
    slot per write."""

    def __init__(self, *, connections: DirectConnections, slots: int) -> None:
        self._connections = connections
        # The parameters in libpq's text format, made once.
        self.slot_parameters = [str(slot).encode() for slot in range(slots)]
        self._sizes = [str(size).encode() for size in range(65)]

    def add(self, requests: int) -> None:
        """Count `requests` in a slot drawn at random (concurrent writes seldom wait for one
        row's lock); raises CounterUnavailable when the store fails."""
        connections = self._connections
        try:
            held = connections.take()
        except psycopg.Error as exc:
            raise CounterUnavailable(str(exc)) from exc
        size = self._sizes[requests] if requests < len(self._sizes) else str(requests).encode()
        slot = random.choice(self.slot_parameters)  # noqa: S311 (spreads writes)
        parameters = [slot, size]
        try:
            if held.run(_INCREMENT, _INCREMENT_SQL, parameters).command_tuples == 0:
                held.run_once(_INCREMENT_NEW_SLOT_SQL, parameters)  # the slot's row is missing
        except psycopg.Error as exc:
            connections.give_back(held)  # kept unless lost: autocommit left nothing open
            raise CounterUnavailable(str(exc).strip()) from exc
        except BaseException:
            connections.discard(held)  # cut off mid-statement: whether it counted is unknown
            raise
        connections.give_back(held)

    def close(self) -> None:
        """Close this process's idle connections (a store that is done with, in tests)."""
        self._connections.close()
