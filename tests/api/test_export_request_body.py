"""POST /exports/ takes no body at all as "the last 24 hours", and the spec says so."""

from datetime import datetime, timedelta

import pytest


def _window(client, headers, response):
    assert response.status_code == 202, response.json
    export = client.get(response.headers["Location"], headers=headers).json
    return datetime.fromisoformat(export["until"]) - datetime.fromisoformat(export["since"])


@pytest.mark.parametrize(
    "body",
    [
        {},  # no body, no Content-Type
        {"data": b"", "content_type": "application/json"},
        {"json": {}},
    ],
)
def test_no_body_or_an_empty_one_means_the_last_24_hours(client, user_headers, body):
    response = client.post("/exports/", headers=user_headers, **body)
    assert _window(client, user_headers, response) == timedelta(hours=24)


def test_the_spec_does_not_require_a_body(client):
    operation = client.get("/openapi.json").json["paths"]["/exports/"]["post"]
    assert operation["requestBody"].get("required", False) is False


def test_the_spec_types_since_and_until_as_date_times(client):
    properties = client.get("/openapi.json").json["components"]["schemas"]["ExportCreate"][
        "properties"
    ]
    for name in ("since", "until"):
        assert (properties[name]["type"], properties[name]["format"]) == ("string", "date-time")
