"""The counter's own Postgres sessions: kept idle between requests, each process its own, the
increment prepared on each, run through libpq directly.

This runs on every request the service answers, so it takes the cheapest path measured here
(`python -m bench.counter`): no pool checkout, no SQLAlchemy or psycopg cursor on the way,
and Postgres parses and plans the UPDATE once per session instead of once per request.
"""

from __future__ import annotations

import os
import select
from collections import deque

import psycopg
from psycopg import errors, pq
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine.url import URL

from src.counter.statements import POSTGRES_INCREMENT
from src.per_process import per_process


class CounterUnavailable(RuntimeError):
    """The store could not count a request (database down, pool or lock timeout)."""


_INCREMENT = b"count_request"
_INCREMENT_SQL = POSTGRES_INCREMENT.increment.encode()
_INCREMENT_NEW_SLOT_SQL = POSTGRES_INCREMENT.increment_new_slot.encode()


class _Session:
    """One connection of the counter's, in autocommit, with the increment prepared on it."""

    __slots__ = ("_connection", "_pgconn", "_poller")

    def __init__(self, connection: psycopg.Connection) -> None:
        self._connection = connection
        self._pgconn = connection.pgconn
        self._poller = select.poll()
        self._poller.register(self._pgconn.socket, select.POLLIN)
        try:
            _raise_unless_done(self._pgconn.prepare(_INCREMENT, _INCREMENT_SQL))
        except CounterUnavailable:
            connection.close()
            raise

    def was_closed_by_server(self) -> bool:
        """Whether the server ended this session while it sat idle (a restart, a terminate).

        An idle session is owed nothing: anything readable is the server's goodbye or the end
        of the stream. Found here, before the UPDATE is sent, a new session counts the request
        instead of it being lost; one poll() costs a few microseconds.
        """
        return bool(self._poller.poll(0)) or self._pgconn.status != pq.ConnStatus.OK

    def increment(self, slot: bytes) -> None:
        try:
            result = self._pgconn.exec_prepared(_INCREMENT, [slot])
            _raise_unless_done(result)
            if result.command_tuples == 0:  # the slot's row is missing
                _raise_unless_done(self._pgconn.exec_params(_INCREMENT_NEW_SLOT_SQL, [slot]))
        except psycopg.Error as exc:  # libpq could not send or read at all
            raise CounterUnavailable(str(exc)) from exc

    def close(self) -> None:
        self._connection.close()

    def let_go_after_fork(self) -> None:
        """In a forked child: drop the parent's session without ending it.

        Closing would send the server a Terminate on the socket the parent still uses. Point
        this process's descriptor at /dev/null first: the close then says nothing to anyone.
        """
        null = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(null, self._pgconn.socket)
        finally:
            os.close(null)
        self._connection.close()


def _raise_unless_done(result: pq.abc.PGresult) -> None:
    if result.status == pq.ExecStatus.COMMAND_OK:
        return
    message = (result.error_message or b"").decode(errors="replace").strip()
    sqlstate = result.error_field(pq.DiagnosticField.SQLSTATE)
    error: type[psycopg.Error] = psycopg.OperationalError
    if sqlstate:
        try:
            error = errors.lookup(sqlstate.decode())
        except KeyError:
            pass
    raise CounterUnavailable(message) from error(message)


class PostgresSessions:
    """Counts into Postgres over this process's idle sessions, made on demand.

    A request takes an idle session (or connects one), runs the prepared UPDATE and puts it
    back; at most `idle_max` wait between requests. A session that failed is closed, never
    reused: the next request connects anew.
    """

    def __init__(self, *, url: URL, slots: int, timeout_ms: int, durable: bool, idle_max: int):
        self._conninfo = _conninfo(url, timeout_ms, durable)
        self._idle_max = idle_max
        # The increment's one parameter, in libpq's text format, made once per slot.
        self.slot_parameters = [str(slot).encode() for slot in range(slots)]
        self._idle = per_process(deque[_Session], on_fork=_let_go_of_inherited)

    def increment(self, slot: int) -> None:
        """Count one request in `slot`; raises CounterUnavailable when the store fails."""
        idle = self._idle.get()
        session = _take_live(idle) or self._connect()
        try:
            session.increment(self.slot_parameters[slot])
        except CounterUnavailable:
            session.close()
            raise
        if len(idle) < self._idle_max:
            idle.append(session)  # deque.append and pop are atomic: no lock between threads
        else:
            session.close()

    def close(self) -> None:
        """Close this process's idle sessions (a store that is done with, in tests)."""
        idle = self._idle.get()
        while (session := _take(idle)) is not None:
            session.close()

    def _connect(self) -> _Session:
        try:
            return _Session(psycopg.connect(self._conninfo, autocommit=True))
        except psycopg.Error as exc:
            raise CounterUnavailable(str(exc)) from exc


def _take(idle: deque[_Session]) -> _Session | None:
    try:
        return idle.pop()
    except IndexError:
        return None


def _take_live(idle: deque[_Session]) -> _Session | None:
    while (session := _take(idle)) is not None:
        if not session.was_closed_by_server():
            return session
        session.close()
    return None


def _let_go_of_inherited(idle: deque[_Session]) -> None:
    while (session := _take(idle)) is not None:
        session.let_go_after_fork()


def _conninfo(url: URL, timeout_ms: int, durable: bool) -> str:
    options = f"-c statement_timeout={timeout_ms} -c lock_timeout={timeout_ms}"
    if not durable:
        # The commit returns before its WAL is flushed: a crash of Postgres itself may lose the
        # last moments of counts (never count twice); nothing else changes.
        options += " -c synchronous_commit=off"
    parameters = {
        **{name: str(value) for name, value in url.query.items()},
        **url.translate_connect_args(username="user", database="dbname"),
        "connect_timeout": max(1, round(timeout_ms / 1000)),
        "options": options,
        "application_name": "movie-service-counter",
    }
    return make_conninfo("", **parameters)
