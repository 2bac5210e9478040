"""The COPY text the import sends Postgres, the ids it makes for the movies, and the filter
that spares most batches the check for an external_id loaded before."""

from __future__ import annotations

import uuid
from datetime import date

from src.catalog.bulk import KeyFilter
from src.dialects import RisingUuids, copy_rows


def test_plain_values_go_as_they_are_and_nulls_as_backslash_n():
    rows = [("Alien", 117, 8.5, date(2030, 1, 1), None), ("Heat", 170, 0.1, None, "Mann")]
    assert copy_rows(rows) == "Alien\t117\t8.5\t2030-01-01\t\\N\nHeat\t170\t0.1\t\\N\tMann\n"


def test_backslashes_tabs_and_line_ends_inside_a_value_are_escaped():
    rows = [("Back\\slash", "\\N", None), ("tab\there", "two\r\nlines", 1)]
    assert copy_rows(rows) == ("Back\\\\slash\t\\\\N\t\\N\ntab\\there\ttwo\\r\\nlines\t1\n")


def test_ids_are_distinct_version_7_uuids_rising_across_calls():
    ids = RisingUuids()
    made = ids.take(2000) + ids.take(1) + ids.take(500)
    parsed = [uuid.UUID(hex=value) for value in made]
    assert len(set(made)) == len(made) == 2501
    assert {(value.version, value.variant) for value in parsed} == {(7, uuid.RFC_4122)}
    assert all(len(value) == 32 and value == value.lower() for value in made)
    assert made == sorted(made)


def test_ids_keep_rising_when_a_millisecond_runs_out_of_numbers_or_the_clock_goes_back():
    ids = RisingUuids()
    first = ids.take(1)
    ids._millis += 60_000  # as if the clock then went back a minute
    ids._sequence = (1 << RisingUuids._SEQUENCE_BITS) - 2  # and two numbers were left
    made = first + ids.take(5)
    assert made == sorted(made) and len(set(made)) == 6
    assert [uuid.UUID(hex=value).version for value in made] == [7] * 6


def test_the_key_filter_finds_every_key_added_and_rarely_another():
    loaded = KeyFilter()
    added = [f"scale-{number}" for number in range(100_000)]
    loaded.add(added)
    assert all(loaded.any_added([key]) for key in added)  # a repeat always goes to the check
    assert loaded.any_added(["new-1", "new-2", added[-1]])
    assert not any(
        loaded.any_added([f"new-{batch}-{number}" for number in range(10_000)])
        for batch in range(5)
    )  # one batch in 10^12 here: new keys skip the check
    assert not KeyFilter().any_added(added[:10])
