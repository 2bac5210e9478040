"""CSV exports through the queue. The collection never waits for a worker: CI runs it with
none, so the export stays queued and its download is 409. Against a live server whose worker
has already finished it, the download is the CSV instead, and the test checks that."""

from __future__ import annotations

from steps import (
    Request,
    check,
    check_json,
    invalid,
    json_answer,
    keep,
    page_of,
    problem,
    variable,
)

STATUSES = "['queued', 'running', 'succeeded', 'failed']"
THIS_EXPORT = "/exports/{{exportId}}/"

NOT_READY_OR_CSV = [
    "if (pm.response.code === 200) {",
    "  pm.test('already succeeded: CSV', () => pm.expect(pm.response.headers.get('Content-Type'))"
    ".to.include('text/csv'));",
    "} else {",
    *(f"  {line}" for line in problem(409)),
    "  pm.test('not yet', () => pm.expect(pm.response.json().detail).to.include('succeeded'));",
    "}",
]

EXPORTS = [
    Request(
        "Request an export of the last 24 hours",
        "POST",
        "/exports/",
        {},
        [
            *json_answer(202, "id", "status"),
            *check_json("accepted", f"pm.expect(body.status).to.be.oneOf({STATUSES});"),
            *check(
                "Location of its status",
                "pm.expect(pm.response.headers.get('Location'))"
                ".to.match(new RegExp('/exports/' + pm.response.json().id + '/$'));",
            ),
            keep("exportId", "pm.response.json().id"),
        ],
    ),
    Request(
        "Download before it has succeeded is 409",
        "GET",
        THIS_EXPORT + "download/",
        None,
        NOT_READY_OR_CSV,
    ),
    Request(
        "Where the export stands",
        "GET",
        THIS_EXPORT,
        None,
        [
            *json_answer(200, "id", "kind", "since", "until", "status", "attempts", "download_url"),
            *check_json(
                "this export, the last 24 hours of prices",
                f"pm.expect(body.id).to.eql({variable('exportId')});",
                "pm.expect(body.kind).to.eql('prices');",
                f"pm.expect(body.status).to.be.oneOf({STATUSES});",
                "const hours = (Date.parse(body.until) - Date.parse(body.since)) / 3600000;",
                "pm.expect(hours).to.eql(24);",
            ),
        ],
    ),
    Request(
        "My exports",
        "GET",
        "/exports/?page_size=100",
        None,
        [
            *page_of("id", "kind", "status", "created_at"),
            *check_json(
                "includes it",
                f"pm.expect(body.data.map((item) => item.id)).to.include({variable('exportId')});",
            ),
        ],
    ),
    Request(
        "Since after until is 422",
        "POST",
        "/exports/",
        {"since": "2020-01-02", "until": "2020-01-01"},
        invalid("until"),
    ),
    Request(
        "An unknown export is 404",
        "GET",
        "/exports/00000000-0000-4000-8000-000000000000/",
        None,
        problem(404),
    ),
]
