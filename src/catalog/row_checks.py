"""A fast way through MovieCreateSchema for the rows it surely accepts.

A marshmallow load costs tens of microseconds a row; an import of a million rows spends most
of its time there. This module reads the schema's own fields (their types, `required`,
`allow_none`, `load_default` and validators, with the bounds they hold) and compiles each
into a plain check. A row that every check passes is loaded here, to the value the schema
would give; anything a check is not sure about (a wrong type, a value out of bounds, a field
or validator this module does not know) sends the whole row to the schema itself, which
then accepts it or says why not. So the checks only ever speed up an acceptance: they never
refuse a row, and a change to the schema that they do not understand turns them off for that
field rather than letting them disagree (tests/unit/test_row_checks.py compares both ways).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, missing, validate

from src.dates import DATE_SHAPE, StrictDate
from src.fields import StrictFloat, TrimmedString

Check = Callable[[Any], Any]
Test = Callable[[Any], bool]
_EXACT_FLOAT = 2**53  # an int beyond it may not convert to float exactly, or at all
ISO_DATE_FORMATS = (None, "iso", "iso8601")


class Unsure(Exception):  # noqa: N818 (a signal, not an error: the schema decides)
    """This row is the schema's to judge."""


class RowChecks:
    """The checks of one schema; load() gives what schema.load would, or raises Unsure."""

    def __init__(self, schema: Schema) -> None:
        self.checks: dict[str, Check] = {}
        self.required: frozenset[str] = frozenset()
        self.defaults: tuple[tuple[str, Any], ...] = ()
        if plain_schema(schema):
            checks = {name: _field_check(field) for name, field in schema.fields.items()}
            if None not in checks.values():
                self.checks = {name: check for name, check in checks.items() if check}
                self.required = frozenset(n for n, f in schema.fields.items() if f.required)
                self.defaults = tuple(
                    (name, field.load_default)
                    for name, field in schema.fields.items()
                    if not field.required and field.load_default is not missing
                )

    @property
    def enabled(self) -> bool:
        return bool(self.checks)

    def load(self, row: dict[str, Any]) -> dict[str, Any]:
        checks = self.checks
        if not checks or not self.required.issubset(row):
            raise Unsure
        loaded: dict[str, Any] = {}
        for name, value in row.items():
            check = checks.get(name)
            if check is None:
                raise Unsure  # an unknown field: the schema's message says which
            loaded[name] = check(value)
        for name, default in self.defaults:
            if name not in loaded:
                loaded[name] = default() if callable(default) else default
        return loaded


def plain_schema(schema: Schema) -> bool:
    """No schema-level hooks or options that change what a load gives."""
    hooked = any(
        hasattr(getattr(type(schema), name, None), "__marshmallow_hook__")
        for name in dir(type(schema))
    )
    opts = schema.opts
    return not hooked and opts.dateformat is None and opts.unknown == "raise"


def plain_field(field: fields.Field) -> bool:
    """No field-level hooks or keys that change what a load gives."""
    return not (field.pre_load or field.post_load or field.data_key or field.attribute)


def _field_check(field: fields.Field) -> Check | None:
    """The field's check, or None when this module cannot be sure of it."""
    if not plain_field(field):
        return None
    convert = _converter(field)
    if convert is None:
        return None
    tests = [_test(validator) for validator in field.validators]
    return _compose(convert, tests, allow_none=field.allow_none)


def _compose(convert: Check, tests: list[Test], *, allow_none: bool) -> Check:
    def check(value: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise Unsure
        loaded = convert(value)
        for test in tests:
            if not test(loaded):
                raise Unsure
        return loaded

    return check


def _converter(field: fields.Field) -> Check | None:
    kind = type(field)
    if kind is fields.String:
        return _string
    if kind is TrimmedString:
        return _trimmed
    if kind is fields.Integer:
        return _integer
    if kind in (fields.Float, StrictFloat):
        return _finite_float if not field.allow_nan else None  # type: ignore[attr-defined]
    if kind is StrictDate and field.format in ISO_DATE_FORMATS:  # type: ignore[attr-defined]
        return date_of
    if kind is fields.List:
        return _list_of(field.inner)  # type: ignore[attr-defined]
    return None


def _string(value: Any) -> str:
    if type(value) is not str:
        raise Unsure
    return value


def _trimmed(value: Any) -> str:
    if type(value) is not str:
        raise Unsure
    return value.strip()


def _integer(value: Any) -> int:
    if type(value) is not int:  # not bool, not a float that happens to be whole
        raise Unsure
    return value


def _finite_float(value: Any) -> float:
    if type(value) is float:
        if not math.isfinite(value):
            raise Unsure
        return value
    if type(value) is int and -_EXACT_FLOAT <= value <= _EXACT_FLOAT:
        return float(value)
    raise Unsure


def date_of(value: Any) -> date:
    if type(value) is not str or not DATE_SHAPE.fullmatch(value):
        raise Unsure
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Unsure from None


def _list_of(inner: fields.Field) -> Check | None:
    check = _field_check(inner)
    if check is None:
        return None
    item_check = check

    def items(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Unsure
        return [item_check(item) for item in value]

    return items


def _test(validator: Any) -> Test:
    """A plain test for the validators whose rules are in their attributes; any other is
    called as it is (a refusal makes the row the schema's)."""
    kind = type(validator)
    if kind is validate.Range:
        return _range_test(validator)
    if kind is validate.Length:
        low, high, equal = validator.min, validator.max, validator.equal
        if equal is not None:
            return lambda value: len(value) == equal
        return lambda value: (
            (low is None or len(value) >= low) and (high is None or len(value) <= high)
        )
    if kind is validate.OneOf:
        choices = validator.choices
        return lambda value: value in choices
    return _called(validator)


def _range_test(validator: validate.Range) -> Test:
    low, high = validator.min, validator.max
    low_in, high_in = validator.min_inclusive, validator.max_inclusive

    def within(value: Any) -> bool:
        if low is not None and (value < low if low_in else value <= low):
            return False
        return high is None or not (value > high if high_in else value >= high)

    return within


def _called(validator: Callable[[Any], Any]) -> Test:
    def passes(value: Any) -> bool:
        try:
            result = validator(value)
        except ValidationError:
            return False
        return result is not False  # a validator may refuse by returning False

    return passes
