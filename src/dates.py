"""Date and instant fields that accept exactly what the OpenAPI formats say, nothing looser.

Python's `fromisoformat` takes much more than RFC 3339 (`20260101`, `2026-W01-1`,
`2026-01-01 00Z`), so each value must first match the documented shape in full. An instant
that lies outside years 1..9999 once converted to UTC is refused here, as a field error,
rather than overflowing in the arithmetic after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

from marshmallow import ValidationError, fields

T = TypeVar("T")

_DATE = r"\d{4}-\d{2}-\d{2}"
DATE_SHAPE = re.compile(_DATE, re.ASCII)
# RFC 3339 date-time; T and Z in either case, as the RFC allows.
INSTANT_SHAPE = re.compile(
    _DATE + r"[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)
INSTANT_HELP = "e.g. 2026-11-21T00:00:00Z, 2026-11-21T10:00:00+10:00 or the date 2026-11-21"


class StrictDate(fields.Date):
    """An RFC 3339 full-date, YYYY-MM-DD, and nothing else."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not DATE_SHAPE.fullmatch(value):
            raise self.make_error("invalid")
        result: date = super()._deserialize(value, attr, data, **kwargs)
        return result


class Instant(fields.AwareDateTime):
    """An RFC 3339 date-time with an offset, or a date meaning its midnight UTC; loaded in UTC.

    A date-time without an offset is refused: the service cannot know which zone it means.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise ValidationError(
                f"Give a string: an RFC 3339 date-time or a date, {INSTANT_HELP}."
            )
        if DATE_SHAPE.fullmatch(value):
            return datetime.combine(_parse(date.fromisoformat, value), time(), tzinfo=UTC)
        shape = INSTANT_SHAPE.fullmatch(value)
        if shape is None:
            raise ValidationError(f"Not an RFC 3339 date-time or a date, {INSTANT_HELP}.")
        if shape["offset"] is None:
            raise ValidationError(f"Give a UTC offset (Z or +HH:MM), {INSTANT_HELP}.")
        instant = _parse(datetime.fromisoformat, value.upper())
        try:
            return instant.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Outside years 1 to 9999 once converted to UTC.") from None


def _parse(parse: Callable[[str], T], value: str) -> T:
    try:
        return parse(value)
    except ValueError:
        raise ValidationError(f"Not a valid date or time of day, {INSTANT_HELP}.") from None
