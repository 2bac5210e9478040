"""Dates and instants at the calendar's edges, through HTTP: a field error, never a 500.

Instants are RFC 3339 date-times with a UTC offset (Z or +HH:MM), or plain dates meaning their
midnight UTC; a date-time without an offset is refused, as is anything looser than the
documented shape (Python's fromisoformat alone would take `20260101` or `2026-W01-1`).
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from src.exports import runner
from src.exports import service as exports_service

PROBLEM = "application/problem+json"


@pytest.fixture
def post_export(client, user_headers):
    def _post(**body):
        return client.post("/exports/", json=body, headers=user_headers)

    return _post


def _window(client, user_headers, response):
    assert response.status_code == 202, response.json
    export = client.get(f"/exports/{response.json['id']}/", headers=user_headers).json
    return export["since"], export["until"]


def _refused(response, field):
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == PROBLEM
    assert list(response.json["errors"]) == [field], response.json
    return response.json["errors"][field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"until": "0001-01-01"}, "until"),  # the default since would be 24 h before year 1
        ({"until": "0001-01-01T23:59:59Z"}, "until"),
        ({"since": "9999-12-31T23:00:00-14:00"}, "since"),  # after 9999 once in UTC
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),  # before year 1 once in UTC
        ({"until": "0001-01-01T10:00:00+14:00"}, "until"),
        ({"since": "9999-12-31"}, "since"),  # after the default until (now)
        ({"since": "9999-12-31T23:59:59.999999Z"}, "since"),
        ({"until": "9999-12-31T23:59:59Z"}, "until"),  # the future
    ],
)
def test_windows_at_the_calendars_edges_are_field_errors(post_export, body, field):
    _refused(post_export(**body), field)


def test_the_earliest_whole_day_is_a_valid_window(client, user_headers, post_export):
    response = post_export(since="0001-01-01", until="0001-01-02T00:00:00+00:00")
    assert _window(client, user_headers, response) == (
        "0001-01-01T00:00:00+00:00",
        "0001-01-02T00:00:00+00:00",
    )


def test_a_year_one_export_downloads_with_four_digit_years(app, client, user_headers):
    response = client.post(
        "/exports/", json={"since": "0001-01-01", "until": "0001-01-02"}, headers=user_headers
    )
    with app.app_context():
        runner.run_export(export_id=uuid.UUID(response.json["id"]))
    download = client.get(f"/exports/{response.json['id']}/download/", headers=user_headers)
    download.close()
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        'attachment; filename="movies-prices-00010101T000000Z-00010102T000000Z.csv"'
    )


@pytest.mark.parametrize(
    ("since", "expected"),
    [
        ("2026-01-01T10:00:00+14:00", "2025-12-31T20:00:00+00:00"),
        ("2026-01-01T10:00:00-14:00", "2026-01-02T00:00:00+00:00"),
        ("2026-01-01t10:00:00z", "2026-01-01T10:00:00+00:00"),  # RFC 3339 allows lower case
        ("2026-01-01T10:00:00.5Z", "2026-01-01T10:00:00.500000+00:00"),
    ],
)
def test_offsets_are_converted_to_utc(client, user_headers, post_export, since, expected):
    response = post_export(since=since, until="2026-01-03")
    assert _window(client, user_headers, response)[0] == expected


def test_a_leap_day_is_a_date(client, user_headers, post_export):
    response = post_export(since="2024-02-29", until="2024-03-01")
    assert _window(client, user_headers, response) == (
        "2024-02-29T00:00:00+00:00",
        "2024-03-01T00:00:00+00:00",
    )


@pytest.mark.parametrize(
    "value",
    [
        "2023-02-29",  # no leap day in 2023
        "2023-02-29T00:00:00Z",
        "2026-01-01\n",  # a trailing newline is not part of a date
        "2026-01-01T00:00:00Z\n",
        "\n2026-01-01",
        " 2026-01-01",
        "20260101",  # ISO 8601 basic format: not RFC 3339
        "2026-W01-1",  # a week date
        "2026-01-01 00:00:00Z",  # a space instead of T
        "2026-01-01T00Z",  # no minutes or seconds
        "2026-01-01T00:00Z",  # no seconds
        "2026-01-01T00:00:00+14",  # offset without minutes
        "2026-01-01T00:00:00+24:00",
        "2026-01-01T24:00:00Z",
        "2026-01-01T23:59:60Z",  # a leap second: Python's datetime has none
        "٢٠٢٦-٠١-٠١",  # digits, but not ASCII ones
        "0000-12-31",
        "10000-01-01",
        "",
    ],
)
def test_malformed_instants_are_refused(post_export, value):
    _refused(post_export(since=value), "since")


@pytest.mark.parametrize("value", ["2026-01-01T00:00:00", "2026-01-01T00:00:00.123456"])
def test_a_date_time_without_an_offset_is_refused_saying_so(post_export, value):
    assert "UTC offset" in _refused(post_export(until=value), "until")[0]


@pytest.mark.parametrize("value", [20260101, True, ["2026-01-01"], {"date": "2026-01-01"}])
def test_an_instant_that_is_not_a_string_is_refused(post_export, value):
    _refused(post_export(since=value), "since")


def test_null_means_the_default(client, user_headers, post_export):
    since, until = _window(client, user_headers, post_export(since=None, until=None))
    assert datetime.fromisoformat(until) - datetime.fromisoformat(since) == timedelta(hours=24)


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01&to=9999-12-31",
        "from=9999-12-31&to=9999-12-31",
        "from=2024-02-29&to=2024-02-29",
    ],
)
def test_expired_range_takes_the_whole_calendar(client, user_headers, query):
    response = client.get(f"/catalog/movies/expired/?{query}", headers=user_headers)
    assert response.status_code == 200, response.json


def test_expired_range_finds_movies_at_both_edges(client, admin_headers):
    movie = {"format": "DVD", "length": 90, "release_year": 2000, "rating": 3}
    for title, expiry in (("First", "0001-01-01"), ("Last", "9999-12-31")):
        created = client.post(
            "/catalog/movies/",
            json={**movie, "title": title, "expiry_date": expiry},
            headers=admin_headers,
        )
        assert created.status_code == 201, created.json
    response = client.get(
        "/catalog/movies/expired/?from=0001-01-01&to=9999-12-31", headers=admin_headers
    )
    found = [(item["title"], item["expiry_date"]) for item in response.json["data"]]
    assert found == [("First", "0001-01-01"), ("Last", "9999-12-31")]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-01-01%0A&to=2026-01-02", "from"),
        ("from=2026-01-01&to=2026-01-02%0A", "to"),
        ("from=2023-02-29&to=2024-01-01", "from"),
        ("from=20260101&to=2026-01-02", "from"),
        ("from=2026-W01-1&to=2026-01-02", "from"),
        ("from=2026-01-01T00:00:00Z&to=2026-01-02", "from"),  # a date, not an instant
        ("from=2026-01-01&to=10000-01-01", "to"),
        ("from=2026-01-02&to=2026-01-01", "from"),
    ],
)
def test_expired_range_refuses_what_is_not_a_date(client, user_headers, query, field):
    response = client.get(f"/catalog/movies/expired/?{query}", headers=user_headers)
    _refused(response, field)


@pytest.mark.parametrize("value", ["2026-01-01%0A", "20260101", "2026-W01-1", "2023-02-29"])
def test_expiry_date_filter_refuses_what_is_not_a_date(client, user_headers, value):
    response = client.get(f"/catalog/movies/?expiry_date={value}", headers=user_headers)
    _refused(response, "expiry_date")


@pytest.mark.parametrize("value", ["2026-01-01\n", "20260101", "2026-W01-1", "2023-02-29"])
def test_a_movies_expiry_date_must_be_a_date(client, admin_headers, value):
    movie = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}
    response = client.post(
        "/catalog/movies/", json={**movie, "expiry_date": value}, headers=admin_headers
    )
    _refused(response, "expiry_date")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(1, 1, 1, 1, 0, tzinfo=UTC), None),  # no 24 hours before 02:00 on day one
        (datetime(1, 1, 2, 1, 0, tzinfo=UTC), None),
        (
            datetime(1, 1, 2, 3, 0, tzinfo=UTC),
            (datetime(1, 1, 1, 2, 0, tzinfo=UTC), datetime(1, 1, 2, 2, 0, tzinfo=UTC)),
        ),
        (
            datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
            (datetime(9999, 12, 30, 2, 0, tzinfo=UTC), datetime(9999, 12, 31, 2, 0, tzinfo=UTC)),
        ),
    ],
)
def test_daily_window_at_the_calendars_edges(now, expected):
    assert exports_service.daily_window(now=now, at=(2, 0)) == expected


def test_the_daily_export_is_skipped_when_the_calendar_has_no_day_before(app):
    with app.app_context():
        assert exports_service.create_daily_export(now=datetime(1, 1, 1, 3, tzinfo=UTC)) is None
