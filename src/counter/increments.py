"""The counter's increments on Postgres: one prepared UPDATE per request on one of the
process's direct connections (src/direct_connections.py), the ones its token checks use.

This runs on every request the service answers, so it takes the cheapest path measured here
(`python -m bench.counter`): no pool checkout, no SQLAlchemy or psycopg cursor on the way, and
Postgres parses and plans the UPDATE once per connection instead of once per request. A
connection the server ended while idle (a restart) is found before the UPDATE is sent and
replaced, so that request is still counted.
"""

from __future__ import annotations

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
    slot per request."""

    def __init__(self, *, connections: DirectConnections, slots: int) -> None:
        self._connections = connections
        # The increment's one parameter, in libpq's text format, made once per slot.
        self.slot_parameters = [str(slot).encode() for slot in range(slots)]

    def increment(self, slot: int) -> None:
        """Count one request in `slot`; raises CounterUnavailable when the store fails."""
        connections = self._connections
        try:
            held = connections.take()
        except psycopg.Error as exc:
            raise CounterUnavailable(str(exc)) from exc
        parameters = [self.slot_parameters[slot]]
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
