"""A CSV row's fast way from its cells gives what converting its cells and judging them gives."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from src.catalog.cell_checks import cells_of
from src.catalog.import_rows import COLUMNS, CsvRows, Movie, Reject, list_cell

HEADER = list(COLUMNS)
VALID = {
    "external_id": "tt0078748",
    "title": "Alien",
    "format": "DVD",
    "length": "117",
    "release_year": "1979",
    "rating": "5",
    "genres": "Horror|Science Fiction",
    "director": "Ridley Scott",
    "description": "In space",
    "expiry_date": "2030-01-01",
    "imdb_score": "8.5",
    "popularity": "90",
}
# Cell texts near each rule's edges and each conversion's: signs, spaces, other digits,
# exponents, underscores, the calendar's edges, separators with nothing between them.
CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "5", "6", "+5", "-1", " 5 ", "05", "5.0", "1e2"]),
    st.sampled_from(["1_000", "١٢", "²", "9" * 18, "9" * 19, "499", "500", "501", "1800"]),
    st.sampled_from(["2100", "2101", "10", "10.0", "10.01", "100", "100.5", "nan", "inf", "-0"]),
    st.sampled_from(["DVD", " DVD", "dvd", "VHS", "Streaming", "x" * 300, "x" * 301, "\\N"]),
    st.sampled_from(["2030-01-01", "2030-02-30", "2030-1-1", " 2030-01-01", "0001-01-01"]),
    st.sampled_from(["9999-12-31", "2030-01-01T00:00:00Z", "١٢٣٤-01-01", "2030-01-01\n"]),
    st.sampled_from(["Drama", "Drama| War ", "|", "Drama||War", " | ", "g" * 50, "g" * 51]),
    st.sampled_from(["|".join(["Drama"] * 20), "|".join(["Drama"] * 21), "e" * 101, " e "]),
    st.sampled_from(["Rock\\|Pop", "a\\\\|b", "\\", "x\\y", "|\\|", "\\" * 3 + "|"]),
    st.text(max_size=6),
)


def _cells(row):
    return [row[name] for name in HEADER]


def test_a_valid_row_takes_the_fast_way_to_what_judging_it_gives():
    rows = CsvRows(HEADER)
    assert rows.fast is not None
    loaded = rows.fast(_cells(VALID))
    assert loaded["expiry_date"] == date(2030, 1, 1)
    assert loaded["genres"] == ["Horror", "Science Fiction"]
    movie = rows.judged(7, _cells(VALID))
    assert isinstance(movie, Movie)
    assert rows.movie(7, _cells(VALID)) == movie
    assert movie.external_id == "tt0078748"


def test_left_out_columns_and_empty_cells_get_what_judging_gives():
    header = ["title", "format", "length", "release_year", "rating", "genres", "director"]
    rows = CsvRows(header)
    values = ["Alien", "DVD", "117", "1979", "5", "", ""]
    assert rows.fast is not None
    loaded = rows.fast(values)
    assert loaded["genres"] == []
    assert loaded["director"] is None
    assert loaded["imdb_score"] is None
    assert rows.movie(2, values) == rows.judged(2, values)
    assert rows.fast(values)["genres"] is not loaded["genres"]  # each row its own list


@pytest.mark.parametrize("name", ["title", "format", "length", "release_year", "rating"])
def test_an_empty_required_cell_is_judged(name):
    values = _cells({**VALID, name: ""})
    rejected = CsvRows(HEADER).movie(3, values)
    assert isinstance(rejected, Reject)
    assert name in rejected.problem


@settings(max_examples=3000, database=None, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(HEADER), CELLS, max_size=4))
def test_the_fast_way_never_differs_from_judging_the_converted_cells(changes):
    rows = CsvRows(HEADER)
    values = _cells({**VALID, **changes})
    fast, judged = rows.movie(1, values), rows.judged(1, values)
    assert fast == judged
    if isinstance(fast, Movie):
        assert {name: type(value) for name, value in fast.fields.items()} == {
            name: type(value) for name, value in judged.fields.items()
        }


@pytest.mark.parametrize(
    ("cell", "genres"),
    [
        ("Rock\\|Pop|Jazz", ["Rock|Pop", "Jazz"]),
        ("AC\\\\DC", ["AC\\DC"]),
        ("AC\\DC", ["AC\\DC"]),  # a backslash before anything else is itself
        ("Ends\\\\|Next", ["Ends\\", "Next"]),
    ],
)
def test_a_genres_cell_reads_its_escapes(cell, genres):
    movie = CsvRows(HEADER).movie(4, _cells({**VALID, "genres": cell}))
    assert isinstance(movie, Movie)
    assert movie.fields["genres"] == genres
    written = CsvRows(HEADER).movie(5, _cells({**VALID, "genres": list_cell(genres)}))
    assert written.fields["genres"] == genres  # the export's cell reads back the same


class EmailSchema(Schema):
    title = fields.String(required=True)
    contact = fields.Email()


class OpenRangeSchema(Schema):
    length = fields.Integer(required=True, validate=validate.Range(min=0, min_inclusive=False))


class PatternSchema(Schema):
    code = fields.String(required=True, validate=validate.Regexp("[A-Z]+"))


class NoDefaultSchema(Schema):
    title = fields.String(required=True)
    note = fields.String()


@pytest.mark.parametrize(
    ("schema", "header"),
    [
        (EmailSchema(), ["title", "contact"]),
        (OpenRangeSchema(), ["length"]),
        (PatternSchema(), ["code"]),
        (NoDefaultSchema(), ["title"]),
    ],
)
def test_a_field_or_rule_the_cells_do_not_know_leaves_every_row_to_be_judged(schema, header):
    assert cells_of(schema, header, null_when_empty=lambda _: True, others={}) is None
