"""Sort orders of the catalog list and the keyset cursor that walks them.

A sort is one or more columns, each ascending or descending, then the movie id in the
direction of the last key: a total order, so one sort by a single column is one walk of its
(column, id) index, forwards or backwards. NULL sorts as the largest value on both backends
(last ascending, first descending: Postgres' own default, spelled out for SQLite).

A cursor names the last movie of a page by its sort values and id: base64url of a small
JSON, bound to the filters and sort it was made for. The next page is the rows after it,
read as at most two index ranges (the rows from its value of the leading key on, then the
NULLs of that key when they come after), so a page deep in the catalog costs what page 1 does.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, false, or_, tuple_
from sqlalchemy.sql.elements import ColumnElement

from src.catalog.models import Movie
from src.errors import ValidationFailed

NULLABLE = frozenset({"director", "expiry_date", "imdb_score", "popularity"})
_PARSERS: dict[str, Any] = {
    "expiry_date": date.fromisoformat,
    "created_at": datetime.fromisoformat,
    "updated_at": datetime.fromisoformat,
}
_KINDS: dict[str, Any] = {
    "title": str,
    "format": str,
    "director": str,
    "length": int,
    "release_year": int,
    "rating": int,
    "imdb_score": (int, float),
    "popularity": (int, float),
    "expiry_date": str,
    "created_at": str,
    "updated_at": str,
}


@dataclass(frozen=True)
class SortKey:
    name: str
    descending: bool

    @property
    def column(self) -> Any:
        return getattr(Movie, self.name)

    def order(self) -> Any:
        clause = self.column.desc() if self.descending else self.column.asc()
        if self.name not in NULLABLE:
            return clause
        return clause.nulls_first() if self.descending else clause.nulls_last()

    def beyond(self, value: Any) -> ColumnElement[bool]:
        """Rows strictly after `value` in this key's order."""
        column = self.column
        if value is None:
            return column.is_not(None) if self.descending else false()
        if self.descending:
            return column < value
        after = column > value
        return or_(after, column.is_(None)) if self.name in NULLABLE else after

    def same(self, value: Any) -> ColumnElement[bool]:
        return self.column.is_(None) if value is None else self.column == value


def parse_sort(sort: str) -> list[SortKey]:
    """The sort keys of `-release_year,title`, then the id in the last key's direction."""
    keys = [
        SortKey(part.strip().removeprefix("-"), part.strip().startswith("-"))
        for part in sort.split(",")
    ]
    return [*keys, SortKey("id", keys[-1].descending)]


def ordering(keys: list[SortKey]) -> list[Any]:
    return [key.order() for key in keys]


def _after(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """Rows after `values` in the order of keys (lexicographic, NULL-aware)."""
    if not keys:
        return false()
    head, value = keys[0], values[0]
    return or_(head.beyond(value), and_(head.same(value), _after(keys[1:], values[1:])))


def segments(keys: list[SortKey], values: list[Any]) -> list[ColumnElement[bool]]:
    """The rows after `values` as consecutive ranges of the leading key's index, in order."""
    head, value = keys[0], values[0]
    rest = _after(keys[1:], values[1:])
    if value is None:
        first = and_(head.column.is_(None), rest)
        return [first, head.column.is_not(None)] if head.descending else [first]
    column = head.column
    bound, strict = (
        (column <= value, column < value)
        if head.descending
        else (
            column >= value,
            column > value,
        )
    )
    first = and_(bound, or_(strict, and_(column == value, rest)))
    if head.name in NULLABLE and not head.descending:
        return [first, column.is_(None)]
    return [first]


def in_one_range(keys: list[SortKey]) -> bool:
    """Whether the rows after any position are one range of the leading key's index (the
    leading key is never NULL)."""
    return keys[0].name not in NULLABLE


def one_row_value(keys: list[SortKey]) -> bool:
    """Whether the keys go all one way and are never NULL: the rows after a position are
    then those whose keys, as one row value, compare beyond it."""
    return len({key.descending for key in keys}) == 1 and not NULLABLE & {k.name for k in keys}


def one_range(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """The rows after `values`, for keys in_one_range. Keys all one way and never NULL are
    compared as one row value, which the index takes as its range (an OR of the keys would be
    tested on every entry on the way: twice the time)."""
    if not in_one_range(keys):
        raise ValueError(f"the rows after a position by {keys[0].name} are not one range")
    if one_row_value(keys):
        columns, row = tuple_(*(key.column for key in keys)), tuple_(*values)
        return columns < row if keys[0].descending else columns > row
    (rows,) = segments(keys, values)
    return rows


def _query_digest(query_key: str) -> str:
    return hashlib.blake2b(query_key.encode(), digest_size=8).hexdigest()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def encode(movie: Movie, keys: list[SortKey], *, query_key: str) -> str:
    """The cursor after `movie` for the query named by query_key (its filters and sort)."""
    values = [_plain(getattr(movie, key.name)) for key in keys[:-1]]
    payload = {"after": values, "id": str(movie.id), "query": _query_digest(query_key)}
    text = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, keys: list[SortKey], *, query_key: str) -> list[Any]:
    """The sort values and id a cursor names; ValidationFailed (422) when it is not one of
    ours or was made for other filters or another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        values = [_typed(key.name, value) for key, value in _pairs(payload, keys)]
        last_id = uuid.UUID(payload["id"])
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as error:
        raise _invalid("This cursor is not one this service made.") from error
    if payload.get("query") != _query_digest(query_key):
        raise _invalid("This cursor was made for other filters or another sort.")
    return [*values, last_id]


def _pairs(payload: Any, keys: list[SortKey]) -> list[tuple[SortKey, Any]]:
    values = payload["after"]
    if not isinstance(values, list) or len(values) != len(keys) - 1:
        raise ValueError("cursor values do not fit the sort")
    return list(zip(keys[:-1], values, strict=True))


def _typed(name: str, value: Any) -> Any:
    if value is None:
        if name not in NULLABLE:
            raise ValueError(f"{name} is never null")
        return None
    if isinstance(value, bool) or not isinstance(value, _KINDS[name]):
        raise TypeError(f"{name}: not of the column's type")
    if isinstance(value, int | float) and not -(2**31) < value < 2**31:
        raise ValueError(f"{name}: out of the column's range")
    parser = _PARSERS.get(name)
    parsed = parser(value) if parser is not None else value
    if isinstance(parsed, datetime) and parsed.tzinfo is None:
        raise ValueError(f"{name}: a time without its offset")
    return parsed


def _invalid(detail: str) -> ValidationFailed:
    return ValidationFailed(detail, errors={"cursor": [detail]})
