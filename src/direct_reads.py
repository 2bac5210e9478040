"""One read-only statement on a connection of its own in autocommit, prepared once on it:
the token check's lookup, which every request with a token runs before its view.

Through the request's session the same statement costs four round trips (the pool's pre-ping,
BEGIN, the statement, the ROLLBACK that returns the connection) and SQLAlchemy's CPU around
each; here it is one, and Postgres neither parses nor plans it again. An autocommit statement
sees every transaction committed before it started: a revoked session is refused at once, and
whatever the request reads after it (on any connection) is never older than what it saw.

There is no pre-ping: a statement that finds its connection lost (Postgres restarted while it
idled) runs once more on a new connection, which only a read may do. A database that is down
raises SQLAlchemy's errors, as the session would (503 problem), and the engine's connect
arguments hold here too (the statement timeout).
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, Select
from sqlalchemy.dialects.postgresql import psycopg2
from sqlalchemy.exc import DBAPIError

from src.extensions import db

# Postgres's own placeholders ($1, $2 ...), as PREPARE takes them.
_PREPARING_DIALECT = psycopg2.dialect(paramstyle="numeric_dollar")


@dataclass(frozen=True)
class PreparedRead:
    """A SELECT prepared by `name` on each direct connection, and the Core statement it is
    compiled from (what the session runs where there is no direct connection)."""

    name: str
    statement: Select[Any]
    sql: str = field(init=False)
    parameters: tuple[str, ...] = field(init=False)  # the names of $1, $2 ... in order
    fixed: dict[str, Any] = field(init=False)  # the values the statement itself gives
    execute: str = field(init=False)
    # What the session would make of each column (a TypeDecorator's result value), or None.
    processors: tuple[Any, ...] = field(init=False)

    def __post_init__(self) -> None:
        compiled = self.statement.compile(dialect=_PREPARING_DIALECT)
        names = tuple(compiled.positiontup or ())
        arguments = f"({', '.join(['%s'] * len(names))})" if names else ""
        fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        object.__setattr__(self, "sql", compiled.string)
        object.__setattr__(self, "parameters", names)
        object.__setattr__(self, "fixed", fixed)
        object.__setattr__(self, "execute", f"EXECUTE {self.name}{arguments}")
        dialect = _PREPARING_DIALECT
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        object.__setattr__(self, "processors", processors if any(processors) else ())

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """A row as the driver gave it, as the session would have given it."""
        if not self.processors:
            return values
        return tuple(
            value if process is None else process(value)
            for process, value in zip(self.processors, values, strict=True)
        )

    def values(self, parameters: Mapping[str, Any]) -> dict[str, Any]:
        """Of `parameters`, those the statement takes (and does not give itself)."""
        return {name: parameters[name] for name in self.parameters if name not in self.fixed}

    def positional(self, parameters: Mapping[str, Any]) -> tuple[Any, ...]:
        """The values of $1, $2 ...: the statement's own, else from `parameters`."""
        fixed = self.fixed
        return tuple(fixed[name] if name in fixed else parameters[name] for name in self.parameters)


@dataclass
class _DirectConnection:
    connection: Any  # the driver's connection, in autocommit
    cursor: Any
    prepared: set[str] = field(default_factory=set)


class DirectReads:
    """Prepared reads on connections of this process made from `engine`, each used by one
    thread at a time: as many as reads ran at once, no more (no pool, no checkout)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._pid = os.getpid()
        self._idle: list[_DirectConnection] = []  # list.pop and append are atomic: no lock

    def first(self, read: PreparedRead, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of `read`, or None; run again once on a new connection if the one
        taken was lost."""
        values = read.positional(parameters)
        try:
            return self._run(self._take(), read, values)
        except _Lost:
            return self._run(self._connect(), read, values, retry=False)

    def _run(
        self,
        held: _DirectConnection,
        read: PreparedRead,
        values: tuple[Any, ...],
        *,
        retry: bool = True,
    ) -> tuple[Any, ...] | None:
        try:
            if read.name not in held.prepared:
                held.cursor.execute(f"PREPARE {read.name} AS {read.sql}")
                held.prepared.add(read.name)
            held.cursor.execute(read.execute, values)
            row: tuple[Any, ...] | None = held.cursor.fetchone()
        except self._dbapi_error as error:
            lost = self._give_back(held, error)
            if lost and retry:
                raise _Lost from error
            raise self._wrapped(read, values, error, lost=lost) from error
        except BaseException:
            self._close(held)  # cut off mid-statement (a worker's timeout): its state unknown
            raise
        self._idle.append(held)
        return None if row is None else read.row(row)

    def _give_back(self, held: _DirectConnection, error: Any) -> bool:
        """Keep a connection the statement failed on unless it was lost; True if lost."""
        if self._engine.dialect.is_disconnect(error, held.connection, held.cursor):
            self._close(held)
            return True
        self._idle.append(held)  # in autocommit, a failed statement leaves nothing open
        return False

    def _take(self) -> _DirectConnection:
        if self._pid != os.getpid():  # a forked child: the parent's connections are not ours
            _INHERITED.extend(self._idle)
            self._idle, self._pid = [], os.getpid()
        try:
            return self._idle.pop()
        except IndexError:
            return self._connect()

    def _connect(self) -> _DirectConnection:
        # Made by the engine's pool (its connect arguments and events), then detached from
        # it: this object keeps it, never checked out again.
        try:
            proxied = self._engine.raw_connection()
        except self._dbapi_error as error:  # as the session raises it: a 503 problem
            raise DBAPIError.instance(
                None, None, error, self._dbapi_error, dialect=self._engine.dialect
            ) from error
        connection: Any = proxied.driver_connection
        proxied.detach()
        connection.autocommit = True
        return _DirectConnection(connection, connection.cursor())

    def _close(self, held: _DirectConnection) -> None:
        with suppress(self._dbapi_error):
            held.connection.close()

    def _wrapped(
        self, read: PreparedRead, values: tuple[Any, ...], error: Exception, *, lost: bool
    ) -> BaseException:
        return DBAPIError.instance(
            read.execute,
            values,
            error,
            self._dbapi_error,
            hide_parameters=True,  # a session id is a credential: never in a log
            connection_invalidated=lost,
            dialect=self._engine.dialect,
        )


class _Lost(Exception):
    """The connection was lost before the statement ran (or while it did)."""


# What a forked child inherited: never closed there (closing would end the parent's session).
_INHERITED: list[_DirectConnection] = []


_BY_ENGINE: weakref.WeakKeyDictionary[Engine, DirectReads | None] = weakref.WeakKeyDictionary()


def _made_for(engine: Engine) -> DirectReads | None:
    # Postgres through psycopg2 only: PREPARE/EXECUTE are its SQL, and a round trip there
    # crosses a socket. SQLite's are function calls in process, its session costs no more.
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg2":
        return None
    return DirectReads(engine)


def direct_reads() -> DirectReads | None:
    """The app's direct reads; None where the session must run the statement instead: on
    SQLite, or when the session is bound to a connection of its own (a test's outer
    transaction), whose uncommitted rows only that connection sees."""
    if isinstance(db.session.session_factory.kw.get("bind"), Connection):
        return None
    engine = db.engine
    try:
        return _BY_ENGINE[engine]
    except KeyError:
        return _BY_ENGINE.setdefault(engine, _made_for(engine))
