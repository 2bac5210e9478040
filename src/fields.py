"""marshmallow fields stricter than the stock ones: no silent coercion of types."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed before validation."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class StrictFloat(fields.Float):
    """A JSON number only: strings and booleans are refused, not converted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)
