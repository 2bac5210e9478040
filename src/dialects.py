"""What differs between the two backends, decided here once: Postgres serves load, SQLite is
the embedded development default. Repositories and services ask for what they need (an
upsert, a bulk load, typo-tolerant matching, a longer statement timeout) and never which
database they run on. The engines themselves are set up in src/database.py."""

from __future__ import annotations

import io
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeEngine

from src.extensions import db

POSTGRES = "postgresql"


def _session_dialect() -> str:
    return str(db.session.get_bind().dialect.name)


def insert(model: type[Any]) -> Any:
    """An INSERT of `model` that takes ON CONFLICT (on_conflict_do_update/_do_nothing) on the
    session's backend: both read the clause alike (SQLite 3.24+)."""
    return (postgresql if _session_dialect() == POSTGRES else sqlite).insert(model)


def column_type(connection: Connection, type_: TypeEngine[Any]) -> str:
    """The backend's DDL for a column type (a Uuid is uuid on Postgres, CHAR(32) on SQLite)."""
    return type_.compile(dialect=connection.dialect)


def bulk_load(
    connection: Connection, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Append rows to a table in one round trip: COPY on Postgres, executemany elsewhere.
    Values are str, numbers, None, UUIDs, and dates or datetimes (as ISO text)."""
    if not rows:
        return
    if connection.dialect.name == POSTGRES:
        copy_in(connection, table, columns, copy_rows(rows))
        return
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    # SQLAlchemy keeps a Uuid as its 32 hex digits on SQLite.
    hexed = [tuple(v.hex if isinstance(v, uuid.UUID) else v for v in row) for row in rows]
    connection.exec_driver_sql(statement, hexed)


def copy_in(
    connection: Connection, table: str, columns: Sequence[str], data: str, *, freeze: bool = False
) -> None:
    """COPY rows given in COPY's text format (copy_rows) into a Postgres table. FREEZE writes
    them frozen and all-visible (no vacuum needed after), allowed only into a table created or
    truncated in the current subtransaction."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    options = " WITH (FREEZE)" if freeze else ""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN{options}"
    cursor.copy_expert(statement, io.StringIO(data), size=_COPY_READ)


_COPY_READ = 1 << 20  # bytes a read of the buffer: fewer calls back into Python
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_rows(rows: Iterable[tuple[Any, ...]]) -> str:
    """Rows in COPY's text format: a line each, values separated by tabs."""
    lines = []
    for row in rows:
        texts = [value if type(value) is str else copy_value(value) for value in row]
        line = "\t".join(texts)
        # One look at the whole line instead of one a string: its only backslashes are its
        # NULLs' and its only tabs the separators, or a value needs escaping after all.
        if (
            line.count("\\") != row.count(None)
            or line.count("\t") != len(texts) - 1
            or "\n" in line
            or "\r" in line
        ):
            line = "\t".join(map(copy_value, row))
        lines.append(line)
    return "".join(line + "\n" for line in lines)


def copy_value(value: Any) -> str:
    """A value in COPY's text format: \\N for NULL, the separators escaped."""
    kind = type(value)
    if kind is str:
        return copy_str(value)
    if value is None:
        return "\\N"
    if kind is float:
        return repr(value)  # the shortest text that reads back as the same double
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # ints, UUIDs


def copy_str(value: str) -> str:
    # isprintable() is False for a tab, newline or carriage return (and other controls,
    # which translate leaves as they are): most strings need no translate.
    if value.isprintable() and "\\" not in value:
        return value
    return value.translate(_COPY_ESCAPES)


class RisingUuids:
    """Version 7 UUIDs (RFC 9562) as the 32 hex digits Postgres reads, each greater than every
    one made before by this generator: the milliseconds since the epoch, a sequence number,
    then 48 random bits. A primary key takes such ids at its right edge, one page at a time,
    where random ones land each on a page of its own. So does the genre links' key, which
    leads with the movie's id: inserting a million movies and their two million links cost
    the server 17 s with such ids and 28 s with random ones."""

    _SEQUENCE_BITS = 26  # the top 12 in rand_a, the other 14 at the top of rand_b
    _VERSION_AND_VARIANT = 0x7 << 76 | 0b10 << 62

    def __init__(self) -> None:
        self._millis = 0
        self._sequence = 0

    def take(self, count: int) -> list[str]:
        now = time.time_ns() // 1_000_000
        if now > self._millis:  # a clock set back keeps the last millisecond
            self._millis, self._sequence = now, 0
        randoms = os.urandom(6 * count)
        ids: list[str] = []
        while len(ids) < count:
            first = self._sequence
            last = min(first + count - len(ids), 1 << self._SEQUENCE_BITS)
            head = self._millis << 80 | self._VERSION_AND_VARIANT
            offset = 6 * (len(ids) - first)
            for n in range(first, last):
                at = offset + 6 * n
                random = int.from_bytes(randoms[at : at + 6], "big")
                ids.append(f"{head | (n >> 14) << 64 | (n & 0x3FFF) << 48 | random:032x}")
            self._sequence = last
            if last >> self._SEQUENCE_BITS:  # this millisecond's numbers are spent
                self._millis, self._sequence = self._millis + 1, 0
        return ids


def modifies_data_in_with(connection: Connection) -> bool:
    """Whether a WITH may hold an INSERT ... RETURNING whose rows the outer statement reads
    (Postgres; SQLite has no data-modifying WITH)."""
    return bool(connection.dialect.name == POSTGRES)


def joins_lateral() -> bool:
    """Whether a subquery in FROM may read the columns of the tables before it (LATERAL:
    Postgres; SQLite has none)."""
    return _session_dialect() == POSTGRES


def keeps_pg_catalog() -> bool:
    """Whether the session's server keeps Postgres's catalog (pg_index, pg_get_indexdef, with
    transactional DDL), which src/catalog/empty_load.py drops and rebuilds indexes from."""
    return _session_dialect() == POSTGRES


def allow_long_statements(*, timeout_ms: int) -> None:
    """Raise the statement timeout for the rest of this transaction (the API's short one
    does not suit a bulk read). SQLite has no statement timeout: nothing to do."""
    if _session_dialect() == POSTGRES:
        db.session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))


# Typo tolerance: pg_trgm (migration 0015) exists only on Postgres; elsewhere matching is
# the plain substring, and each of these says so by giving None (or doing nothing).


def near_spelling(needle: Any, *texts: Any) -> ColumnElement[bool] | None:
    """Whether one of `texts` has a word within about one typo of `needle` (pg_trgm's `<%`,
    answered by the GIN trigram indexes); None where the backend cannot tell."""
    if _session_dialect() != POSTGRES:
        return None
    found: ColumnElement[bool] = needle.op("<%")(texts[0])
    for other in texts[1:]:
        found = found | needle.op("<%")(other)
    return found


def spelling_closeness(needle: Any, *texts: Any) -> ColumnElement[float] | None:
    """How close `needle` is to the nearest word of `texts` (0 to 1, a NULL text 0); None
    where the backend cannot tell."""
    if _session_dialect() != POSTGRES:
        return None
    first, *others = texts
    return func.greatest(
        func.word_similarity(needle, first),
        *(func.coalesce(func.word_similarity(needle, other), 0) for other in others),
    )


def keeps_catalog_words() -> bool:
    """Whether the catalog's words and their movies are kept (migration 0017's tables and
    triggers): Postgres."""
    return _session_dialect() == POSTGRES


def keeps_genre_counts() -> bool:
    """Whether the movies of each genre, format and year are counted as they are written
    (migration 0018's table and triggers): Postgres."""
    return _session_dialect() == POSTGRES


def allow_typos(*, similarity: float) -> None:
    """How close a word must be for near_spelling, for the rest of this transaction."""
    if _session_dialect() == POSTGRES:
        db.session.execute(
            text("SELECT set_config('pg_trgm.word_similarity_threshold', :limit, true)"),
            {"limit": str(similarity)},
        )


class UtcDay(FunctionElement[date]):
    """The UTC calendar day of a UtcDateTime column, on either backend."""

    type = Date()  # noqa: A003 (SQLAlchemy's name)
    name = "utc_day"
    inherit_cache = True


@compiles(UtcDay)
def _utc_day(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps UtcDateTime as naive UTC text ("2026-11-21 10:00:00.000000").
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(UtcDay, POSTGRES)
def _utc_day_postgres(element: UtcDay, compiler: SQLCompiler, **kw: Any) -> str:
    # The session's TimeZone must not decide the day.
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


class DriverQuery:
    """A query of one parameter run as the driver's own SQL: it skips compiling a statement
    (about half the CPU of a primary-key lookup), and errors still come wrapped as
    SQLAlchemy's. `sql` has one `{}` where the parameter goes."""

    # Each DBAPI paramstyle's placeholder, and whether it takes the parameter by name.
    _PLACEHOLDERS = {"pyformat": ("%(value)s", True), "qmark": ("?", False)}

    def __init__(self, sql: str) -> None:
        self._by_paramstyle = {
            style: (sql.format(mark), by_name)
            for style, (mark, by_name) in self._PLACEHOLDERS.items()
        }
        self._compiled = text(sql.format(":value"))

    def first(self, connection: Connection, value: Any) -> Any:
        """The first row (a Row) for `value`, or None."""
        driver = self._by_paramstyle.get(connection.dialect.paramstyle)
        if driver is None:  # another driver: the compiled statement
            return connection.execute(self._compiled, {"value": value}).first()
        sql, by_name = driver
        return connection.exec_driver_sql(sql, {"value": value} if by_name else (value,)).first()
