"""One read-only statement on one of this process's direct connections (src/direct_connections.py),
prepared once on each: the token check's lookup, which every request with a token runs before
its view, and the request count's sum.

Through the request's session the same statement costs four round trips (the pool's pre-ping,
BEGIN, the statement, the ROLLBACK that returns the connection) and SQLAlchemy's CPU around
each; here it is one, and Postgres neither parses nor plans it again. An autocommit statement
sees every transaction committed before it started: a revoked session is refused at once, and
whatever the request reads after it (on any connection) is never older than what it saw.

A connection the server ended while idle is found before the statement is sent; one found lost
while it ran (Postgres restarted at that moment) runs it once more on a new connection, which
only a read may do. A database that is down raises SQLAlchemy's errors, as the session would
(503 problem), and the engine's connect arguments hold here too (the statement timeout).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg
from flask import Flask, current_app
from psycopg.adapt import PyFormat
from sqlalchemy import Connection, Select
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DBAPIError

from src.direct_connections import DirectConnection, DirectConnections, conninfo
from src.extensions import db

# Postgres's own placeholders ($1, $2 ...), as libpq prepares them.
_PREPARING_DIALECT = psycopg_dialect.dialect(paramstyle="numeric_dollar")


@dataclass(frozen=True)
class PreparedRead:
    """A SELECT prepared by `name` on each direct connection, and the Core statement it is
    compiled from (what the session runs where there is no direct connection)."""

    name: str
    statement: Select[Any]
    sql: str = field(init=False)
    parameters: tuple[str, ...] = field(init=False)  # the names of $1, $2 ... in order
    fixed: dict[str, Any] = field(init=False)  # the values the statement itself gives
    # What the session would make of each column (a TypeDecorator's result value), or None.
    processors: tuple[Any, ...] = field(init=False)
    prepared_name: bytes = field(init=False)
    prepared_sql: bytes = field(init=False)
    formats: tuple[PyFormat, ...] = field(init=False)  # the parameters', for libpq

    def __post_init__(self) -> None:
        compiled = self.statement.compile(dialect=_PREPARING_DIALECT)
        names = tuple(compiled.positiontup or ())
        fixed = {name: bind.value for name, bind in compiled.binds.items() if not bind.required}
        dialect = _PREPARING_DIALECT
        processors = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        )
        for name, value in (
            ("sql", compiled.string),
            ("parameters", names),
            ("fixed", fixed),
            ("processors", processors if any(processors) else ()),
            ("prepared_name", self.name.encode()),
            ("prepared_sql", compiled.string.encode()),
            ("formats", (PyFormat.TEXT,) * len(names)),
        ):
            object.__setattr__(self, name, value)

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


class DirectReads:
    """Prepared reads on `connections`, failing with SQLAlchemy's errors as the session does."""

    def __init__(self, connections: DirectConnections) -> None:
        self.connections = connections

    def first(self, read: PreparedRead, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of `read`, or None; run again once on a new connection if the one
        taken was lost while it ran."""
        values = read.positional(parameters)
        try:
            return self._run(self._take(), read, values, retry=True)
        except _Lost:
            return self._run(self._take(), read, values, retry=False)

    def _run(
        self, held: DirectConnection, read: PreparedRead, values: tuple[Any, ...], *, retry: bool
    ) -> tuple[Any, ...] | None:
        transformer = held.transformer
        try:
            arguments = transformer.dump_sequence(values, read.formats)
            result = held.run(read.prepared_name, read.prepared_sql, arguments)
            transformer.set_pgresult(result)
            row = transformer.load_row(0, tuple) if result.ntuples else None
        except psycopg.Error as error:
            lost = held.lost
            self.connections.give_back(held)  # in autocommit a failed statement leaves nothing open
            if lost and retry:
                raise _Lost from error
            raise _wrapped(read, error, lost=lost) from error
        except BaseException:
            self.connections.discard(held)  # cut off mid-statement (a worker's timeout)
            raise
        self.connections.give_back(held)
        return None if row is None else read.row(row)

    def _take(self) -> DirectConnection:
        try:
            return self.connections.take()
        except psycopg.Error as error:  # as the session raises it: a 503 problem
            raise DBAPIError.instance(None, None, error, psycopg.Error) from error


def _wrapped(read: PreparedRead, error: psycopg.Error, *, lost: bool) -> BaseException:
    return DBAPIError.instance(
        read.sql,
        None,
        error,
        psycopg.Error,
        hide_parameters=True,  # a session id is a credential: never in a log
        connection_invalidated=lost,
    )


class _Lost(Exception):
    """The connection was lost while the statement ran."""


_BY_APP: weakref.WeakKeyDictionary[Flask, DirectReads | None] = weakref.WeakKeyDictionary()


def _of(app: Flask) -> DirectReads | None:
    try:
        return _BY_APP[app]
    except KeyError:
        connections = _made_for(app.config)
        return _BY_APP.setdefault(app, None if connections is None else DirectReads(connections))


def direct_connections(app: Flask) -> DirectConnections | None:
    """The app's direct connections in this process (its reads' and its counter's); None on
    SQLite, whose statements are function calls in process: its session costs no more."""
    reads = _of(app)
    return None if reads is None else reads.connections


def _made_for(config: Mapping[str, Any]) -> DirectConnections | None:
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        return None
    counting = bool(config.get("REQUEST_COUNTER_ENABLED"))
    return DirectConnections(
        conninfo(
            url,
            connect_args=config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}),
            # The counter's increment waits at most this for its row; the reads take no lock
            # that anything but a schema change holds.
            lock_timeout_ms=config["REQUEST_COUNTER_TIMEOUT_MS"] if counting else None,
            durable=not counting or bool(config["REQUEST_COUNTER_DURABLE"]),
        )
    )


def direct_reads() -> DirectReads | None:
    """The app's direct reads; None where the session must run the statement instead: on
    SQLite, or when the session is bound to a connection of its own (a test's outer
    transaction), whose uncommitted rows only that connection sees."""
    if isinstance(db.session.session_factory.kw.get("bind"), Connection):
        return None
    return _of(current_app._get_current_object())  # type: ignore[attr-defined]
