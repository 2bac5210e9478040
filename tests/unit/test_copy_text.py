"""The COPY text the import sends Postgres, and the ids it makes for the movies."""

from __future__ import annotations

import uuid
from datetime import date

from src.dialects import copy_rows, random_uuids


def test_plain_values_go_as_they_are_and_nulls_as_backslash_n():
    rows = [("Alien", 117, 8.5, date(2030, 1, 1), None), ("Heat", 170, 0.1, None, "Mann")]
    assert copy_rows(rows) == "Alien\t117\t8.5\t2030-01-01\t\\N\nHeat\t170\t0.1\t\\N\tMann\n"


def test_backslashes_tabs_and_line_ends_inside_a_value_are_escaped():
    rows = [("Back\\slash", "\\N", None), ("tab\there", "two\r\nlines", 1)]
    assert copy_rows(rows) == ("Back\\\\slash\t\\\\N\t\\N\ntab\\there\ttwo\\r\\nlines\t1\n")


def test_random_uuids_are_distinct_version_4_uuids():
    ids = random_uuids(2000)
    parsed = [uuid.UUID(hex=value) for value in ids]
    assert len(set(ids)) == len(ids) == 2000
    assert {(value.version, value.variant) for value in parsed} == {(4, uuid.RFC_4122)}
    assert all(len(value) == 32 and value == value.lower() for value in ids)
