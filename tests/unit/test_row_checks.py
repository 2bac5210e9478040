"""The import's fast checks accept only what MovieCreateSchema accepts, loaded alike."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validates_schema

from src.catalog.row_checks import RowChecks, Unsure
from src.catalog.schemas import MovieCreateSchema

SCHEMA = MovieCreateSchema()
CHECKS = RowChecks(SCHEMA)
VALID = {
    "title": "Alien",
    "format": "DVD",
    "length": 117,
    "release_year": 1979,
    "rating": 5,
    "genres": ["Horror", "Science Fiction"],
    "director": "Ridley Scott",
    "description": "In space",
    "expiry_date": "2030-01-01",
    "imdb_score": 8.5,
    "popularity": 90.0,
}
# Values near each rule's edges, of every JSON type (and the ones a CSV cell converts to).
EDGES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([0, 1, 5, 6, 10, 11, 100, 101, 499, 500, 501, 1799, 1800, 2100, 2101]),
    st.sampled_from([2**53, 2**53 + 1, 10**400, -(2**60)]),
    st.sampled_from([0.0, -0.0, 0.5, 9.99, 10.0, 10.01, 100.0, 100.5, math.nan, math.inf]),
    st.sampled_from(["", " ", "DVD", " DVD", "dvd", "VHS", "Streaming", "x" * 50, "x" * 51]),
    st.sampled_from([" a ", "\t", "\u3000x", "x" * 100 + " ", "y" * 101, "\\N"]),
    st.sampled_from(["2030-01-01", "2030-02-30", "2030-1-1", "20300101", "2030-01-01\n"]),
    st.sampled_from(["0000-01-01", "9999-12-31", "2030-01-01T00:00:00Z", "١٢٣٤-01-01"]),
    st.lists(st.sampled_from(["Drama", " War ", "", " ", "g" * 50, "g" * 51, 3]), max_size=22),
    st.text(max_size=5),
)
FIELD_NAMES = [*SCHEMA.fields, "budget"]


def _schema_load(row):
    try:
        return SCHEMA.load(dict(row))
    except ValidationError:
        return None


def _fast_load(row):
    try:
        return CHECKS.load(dict(row))
    except Unsure:
        return None


def test_a_valid_row_takes_the_fast_way_to_what_the_schema_gives():
    assert CHECKS.enabled
    assert _fast_load(VALID) == SCHEMA.load(VALID)
    assert _fast_load(VALID)["expiry_date"] == date(2030, 1, 1)


def test_left_out_fields_get_the_schemas_defaults():
    required = {name: VALID[name] for name in ("title", "format", "length", "release_year")}
    row = {**required, "rating": 3}
    assert _fast_load(row) == SCHEMA.load(row)
    assert _fast_load(row)["genres"] == []


@pytest.mark.parametrize(
    "change",
    [
        {"title": " padded "},
        {"director": None, "description": None, "expiry_date": None, "imdb_score": None},
        {"imdb_score": 8, "popularity": 0},
        {"genres": []},
        {"genres": [" Drama "]},
    ],
)
def test_rows_of_unusual_but_valid_shapes_load_alike(change):
    row = {**VALID, **change}
    assert _fast_load(row) is not None
    assert _fast_load(row) == SCHEMA.load(row)


@settings(max_examples=2000, database=None, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(FIELD_NAMES), EDGES, max_size=4))
def test_the_fast_way_never_accepts_what_the_schema_refuses(changes):
    row = {**VALID, **changes}
    fast = _fast_load(row)
    if fast is not None:
        assert fast == _schema_load(row)
        assert {name: type(value) for name, value in fast.items()} == {
            name: type(value) for name, value in _schema_load(row).items()
        }


@settings(max_examples=500, database=None, deadline=None)
@given(removed=st.sets(st.sampled_from(list(SCHEMA.fields))))
def test_a_row_missing_fields_is_never_accepted_unless_the_schema_does(removed):
    row = {name: value for name, value in VALID.items() if name not in removed}
    fast = _fast_load(row)
    assert fast is None or fast == _schema_load(row)


class HookedSchema(Schema):
    title = fields.String(required=True)

    @validates_schema
    def refuse_everything(self, data, **_):
        raise ValidationError("no")


class OtherFieldSchema(Schema):
    title = fields.String(required=True)
    contact = fields.Email()


@pytest.mark.parametrize("schema", [HookedSchema(), OtherFieldSchema()])
def test_a_schema_with_rules_the_checks_do_not_know_always_goes_to_the_schema(schema):
    checks = RowChecks(schema)
    assert not checks.enabled
    with pytest.raises(Unsure):
        checks.load({"title": "x"})
