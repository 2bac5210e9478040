"""marshmallow fields and validators stricter than the stock ones: no silent coercion of
types, patterns that match the whole value."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate

# One character that str.strip() keeps: text matching it is not blank once trimmed. The same
# class in Python's and ECMA 262's regex dialects (OpenAPI patterns are ECMA's, unanchored).
NON_BLANK_PATTERN = (
    r"[^\x09-\x0d\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


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


class FullMatch(validate.Regexp):
    """A pattern that must match the whole value. validate.Regexp uses re.match, whose `$`
    also matches before a trailing newline ("admin\\n" would pass); the pattern keeps its
    `^...$` anchors for the OpenAPI spec, where (ECMA-262) they mean the whole value."""

    def __call__(self, value: Any) -> Any:
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value
