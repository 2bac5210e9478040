"""This process's direct Postgres connections: libpq connections in autocommit, each used by
one thread at a time, kept idle between uses, with the statements prepared on each so far.

What runs on every request runs here (the token check's lookup, the request count's sum and
the counter's increment, src/direct_reads.py and src/counter/increments.py): one round trip a
statement, no pool checkout, no BEGIN or ROLLBACK, and Postgres parses and plans a statement
once per connection. The reads and the increment share the connections: a process holds at
most as many as its threads ran statements at once, beside its SQLAlchemy pool.

They sit below psycopg's Connection (its libpq layer, psycopg.pq): per statement that saves
most of the driver's CPU, and a connection dropped unclosed (an app done with, in tests)
closes quietly. Each process makes its own; a forked child lets go of its parent's without
ending their sessions.
"""

from __future__ import annotations

import os
import select
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg import errors, pq
from psycopg.abc import Buffer
from psycopg.adapt import Transformer
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine.url import URL

from src.per_process import per_process

Parameters = Sequence[Buffer | None]  # libpq's text format; None is NULL

_DONE = (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK)


class DirectConnection:
    """One libpq connection, in libpq's own autocommit (nothing here ever sends BEGIN)."""

    __slots__ = ("_poller", "_prepared", "pgconn", "transformer")

    def __init__(self, pgconn: pq.abc.PGconn) -> None:
        self.pgconn = pgconn
        self.transformer = Transformer()  # turns result rows into Python values
        self._poller = select.poll()
        self._poller.register(pgconn.socket, select.POLLIN)
        self._prepared: set[bytes] = set()

    def was_closed_by_server(self) -> bool:
        """Whether the server ended this connection while it sat idle (a restart, a terminate).

        An idle connection is owed nothing: anything readable is the server's goodbye or the
        end of the stream. Found before a statement is sent, a new connection runs it instead
        (a write that failed on the way could not safely be sent again); one poll() costs a
        few microseconds.
        """
        return bool(self._poller.poll(0)) or self.lost

    @property
    def lost(self) -> bool:
        return self.pgconn.status != pq.ConnStatus.OK

    def run(self, name: bytes, sql: bytes, values: Parameters) -> pq.abc.PGresult:
        """Run `sql`, prepared as `name` on this connection the first time; raises the
        psycopg error of a statement that failed (psycopg.OperationalError: no answer)."""
        pgconn = self.pgconn
        if name not in self._prepared:
            _done(pgconn.prepare(name, sql), pgconn)
            self._prepared.add(name)
        return _done(pgconn.exec_prepared(name, values), pgconn)  # type: ignore[arg-type]  # None is NULL

    def run_once(self, sql: bytes, values: Parameters) -> pq.abc.PGresult:
        """Run `sql` unprepared (a statement that seldom runs)."""
        return _done(self.pgconn.exec_params(sql, values), self.pgconn)

    def close(self) -> None:
        self.pgconn.finish()

    def let_go_after_fork(self) -> None:
        """In a forked child: drop the parent's connection without ending its session.

        Closing sends the server a Terminate on the socket the parent still uses. Point this
        process's descriptor at /dev/null first: the close then says nothing to anyone.
        """
        null = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(null, self.pgconn.socket)
        finally:
            os.close(null)
        self.pgconn.finish()


def _done(result: pq.abc.PGresult, pgconn: pq.abc.PGconn) -> pq.abc.PGresult:
    if result.status in _DONE:
        return result
    error = errors.error_from_result(result)
    if pgconn.status != pq.ConnStatus.OK and not isinstance(error, psycopg.OperationalError):
        # libpq's own report of a connection gone (no SQLSTATE), as psycopg raises it.
        raise psycopg.OperationalError(str(error)) from error
    raise error


class DirectConnections:
    """This process's direct connections to one database, made on demand: take one, run its
    statements, give it back. Idle ones wait on a stack (list append and pop are atomic), so
    there are never more than the threads that held one at the same moment."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo.encode()
        self._idle = per_process(list[DirectConnection], on_fork=_let_go_of_inherited)

    def take(self) -> DirectConnection:
        """An idle connection the server has not ended, or a new one; raises
        psycopg.OperationalError when none can be made."""
        idle = self._idle.get()
        while idle:
            try:
                held = idle.pop()
            except IndexError:  # another thread took the last one
                break
            if not held.was_closed_by_server():
                return held
            held.close()
        return self._connect()

    def give_back(self, held: DirectConnection) -> None:
        """Keep `held` for the next statement, unless it was lost (then it is closed)."""
        if held.lost:
            held.close()
        else:
            self._idle.get().append(held)

    def discard(self, held: DirectConnection) -> None:
        """Close `held` (cut off mid-statement: what it holds is unknown)."""
        held.close()

    def close(self) -> None:
        """Close this process's idle connections (connections done with, in tests)."""
        idle = self._idle.get()
        while idle:
            idle.pop().close()

    def _connect(self) -> DirectConnection:
        pgconn = pq.PGconn.connect(self._conninfo)
        if pgconn.status != pq.ConnStatus.OK:
            message = pgconn.get_error_message()
            pgconn.finish()
            raise psycopg.OperationalError(message)
        return DirectConnection(pgconn)


def _let_go_of_inherited(idle: list[DirectConnection]) -> None:
    while idle:
        idle.pop().let_go_after_fork()


def conninfo(
    url: URL,
    *,
    connect_args: Mapping[str, Any],
    lock_timeout_ms: int | None = None,
    durable: bool = True,
    application_name: str = "movie-service-direct",
) -> str:
    """libpq's connection string for `url` with the engine's connect arguments (its connect
    timeout and options: the statement timeout); lock_timeout_ms bounds every wait for a
    lock; durable=False lets commits return before their WAL is flushed."""
    options = str(connect_args.get("options", ""))
    if lock_timeout_ms is not None:
        options += f" -c lock_timeout={lock_timeout_ms}"
    if not durable:
        # A crash of Postgres itself may lose the last moments of writes made here (the
        # counter's: never counted twice); reads are not concerned.
        options += " -c synchronous_commit=off"
    parameters = {
        **{name: str(value) for name, value in url.query.items()},
        **url.translate_connect_args(username="user", database="dbname"),
        "connect_timeout": connect_args.get("connect_timeout", 3),
        "options": options.strip(),
        "application_name": application_name,
        "client_encoding": "UTF8",  # what the rows are decoded with
    }
    return make_conninfo("", **parameters)
