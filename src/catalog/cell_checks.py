"""A fast way from a CSV row's cells to what MovieCreateSchema loads, for the rows it surely
accepts.

import_rows reads a cell by its field's type (a number parsed, a list split on `|`, an empty
cell null or left out) and the row then goes through row_checks.RowChecks: a conversion, a
check and a call for each rule, a dozen Python calls a cell, most of the import's own time at
a million rows. Here each column gets one function from its text to the loaded value, with
its field's rules (Length, inclusive Range, OneOf) tested inline, read from the schema's
fields as RowChecks reads them. Like RowChecks it only ever speeds up an acceptance: a cell
it is not sure of raises Unsure and the row takes the way through the conversions and
RowChecks (or the schema); a field or rule it does not know turns it off for the whole
header (tests/unit/test_cell_checks.py compares both ways).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, missing, validate

from src.catalog.row_checks import ISO_DATE_FORMATS, Unsure, date_of, plain_field, plain_schema
from src.dates import StrictDate
from src.fields import StrictFloat, TrimmedString

TextCheck = Callable[[str], Any]
Cells = Callable[[list[str]], dict[str, Any]]
_DIGITS = 18
INTEGER = re.compile(rf"[+-]?\d{{1,{_DIGITS}}}", re.ASCII)  # what a CSV cell of an Integer may be
LIST_SEPARATOR = "|"
LIST_ESCAPE = "\\"  # before a separator or itself (import_rows._split): the converted way's


@dataclass(frozen=True)
class _Rules:
    """A field's validators as bounds a check compares inline."""

    shortest: int = 0
    longest: float = math.inf
    least: float = -math.inf
    most: float = math.inf
    choices: tuple[Any, ...] | None = None


def _rules_of(validators: Sequence[Any]) -> _Rules | None:
    """The bounds of Length, inclusive Range and OneOf validators; None for any other, or
    for two of a kind."""
    found: dict[str, Any] = {}
    for validator in validators:
        kind = type(validator)
        if kind is validate.Length and validator.equal is None and "shortest" not in found:
            found["shortest"] = validator.min or 0
            found["longest"] = math.inf if validator.max is None else validator.max
        elif kind is validate.Range and "least" not in found:
            if not (validator.min_inclusive and validator.max_inclusive):
                return None
            found["least"] = -math.inf if validator.min is None else validator.min
            found["most"] = math.inf if validator.max is None else validator.max
        elif kind is validate.OneOf and "choices" not in found:
            found["choices"] = tuple(validator.choices)
        else:
            return None
    return _Rules(**found)


def cells_of(
    schema: Schema,
    header: Sequence[str],
    *,
    null_when_empty: Callable[[str], bool],
    others: Mapping[str, TextCheck],
) -> Cells | None:
    """The fast way for a header: its cells to the loaded fields (and the `others`, columns
    that are not the schema's, each by its own check), or None when a column's field is one
    this module cannot be sure of."""
    if not plain_schema(schema):
        return None
    checks: list[TextCheck] = []
    for name in header:
        field = schema.fields.get(name)
        check = others.get(name) if field is None else _check(field, null_when_empty(name))
        if check is None:
            return None
        checks.append(check)
    # A column left out of the header loads as an empty cell that is not null would.
    left_out = [
        (n, _empty(f, null_when_empty=False)) for n, f in schema.fields.items() if n not in header
    ]
    if any(made in (None, _unsure) for _, made in left_out):
        return None  # the schema would say a field is missing, or load no value for it
    names = tuple(header)

    def load(cells: list[str]) -> dict[str, Any]:
        loaded = {name: check(text) for name, check, text in zip(names, checks, cells, strict=True)}
        for name, made in left_out:
            loaded[name] = made()  # type: ignore[misc]
        return loaded

    return load


def _check(field: fields.Field, null_when_empty: bool) -> TextCheck | None:
    """The column's check, or None when this module cannot be sure of its field."""
    rules = _rules_of(field.validators)
    empty = _empty(field, null_when_empty)
    if rules is None or empty is None or not plain_field(field):
        return None
    kind = type(field)
    if kind in (fields.String, TrimmedString) and _of_text(rules):
        return _text(rules, empty, trim=kind is TrimmedString)
    if kind is fields.Integer and _of_numbers(rules):
        return _integer(rules, empty)
    if kind in (fields.Float, StrictFloat) and _of_numbers(rules) and rules.choices is None:
        return None if field.allow_nan else _float(rules, empty)  # type: ignore[attr-defined]
    if kind is StrictDate and field.format in ISO_DATE_FORMATS and rules == _Rules():  # type: ignore[attr-defined]
        return _date_cell(empty)
    if kind is fields.List and _of_text(rules) and rules.choices is None:
        return _list(field.inner, rules, empty)  # type: ignore[attr-defined]
    return None


def _of_text(rules: _Rules) -> bool:
    return rules.least == -math.inf and rules.most == math.inf


def _of_numbers(rules: _Rules) -> bool:
    return rules.shortest == 0 and rules.longest == math.inf


def _empty(field: fields.Field, null_when_empty: bool) -> Callable[[], Any] | None:
    """What an empty cell loads as: null when the column reads it so (and the field allows
    it), else the field left out (its default; a required one is missing)."""
    if null_when_empty:
        return _null if field.allow_none else _unsure
    if field.required:
        return _unsure
    default = field.load_default
    if default is missing:
        return None  # left out with no default: absent from what the schema loads
    return default if callable(default) else lambda: default


def _null() -> None:
    return None


def _unsure() -> Any:
    raise Unsure


def _text(rules: _Rules, empty: Callable[[], Any], *, trim: bool) -> TextCheck:
    shortest, longest, choices = rules.shortest, rules.longest, rules.choices

    def check(text: str) -> Any:
        if not text:
            return empty()
        value = text.strip() if trim else text
        if shortest <= len(value) <= longest and (choices is None or value in choices):
            return value
        raise Unsure

    return check


def _integer(rules: _Rules, empty: Callable[[], Any]) -> TextCheck:
    least, most, choices = rules.least, rules.most, rules.choices

    def check(text: str) -> Any:
        if not text:
            return empty()
        # Plain digits are the common cell; INTEGER also takes a sign and spaces around.
        if (text.isdigit() and text.isascii() and len(text) <= _DIGITS) or INTEGER.fullmatch(
            text.strip()
        ):
            value = int(text)
            if least <= value <= most and (choices is None or value in choices):
                return value
        raise Unsure

    return check


def _float(rules: _Rules, empty: Callable[[], Any]) -> TextCheck:
    least, most = rules.least, rules.most

    def check(text: str) -> Any:
        if not text:
            return empty()
        try:
            value = float(text)
        except ValueError:
            raise Unsure from None
        if math.isfinite(value) and least <= value <= most:
            return value
        raise Unsure

    return check


def _date_cell(empty: Callable[[], Any]) -> TextCheck:
    def check(text: str) -> Any:
        return date_of(text) if text else empty()

    return check


def _list(inner: fields.Field, rules: _Rules, empty: Callable[[], Any]) -> TextCheck | None:
    """A list of strings, one a `|`-separated part of the cell."""
    item_rules = _rules_of(inner.validators)
    kind = type(inner)
    if (
        item_rules is None
        or kind not in (fields.String, TrimmedString)
        or not _of_text(item_rules)
        or not plain_field(inner)
    ):
        return None
    trim, shortest, longest = kind is TrimmedString, item_rules.shortest, item_rules.longest
    fewest, most, choices = rules.shortest, rules.longest, item_rules.choices

    def check(text: str) -> Any:
        if not text:
            return empty()
        if LIST_ESCAPE in text:
            raise Unsure
        items = text.split(LIST_SEPARATOR)
        if trim:
            items = list(map(str.strip, items))
        lengths = list(map(len, items))
        if (
            fewest <= len(items) <= most
            and shortest <= min(lengths)
            and max(lengths) <= longest
            and (choices is None or all(item in choices for item in items))
        ):
            return items
        raise Unsure

    return check
