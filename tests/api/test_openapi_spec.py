"""The OpenAPI spec says what the service does: types, formats, constraints and the errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from src.fields import NON_BLANK_PATTERN
from src.pricing.schemas import POSTER_URL_PATTERN

PROBLEM = "application/problem+json"
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json)


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = spec["components"][section][name]
    return node


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(spec["components"]["schemas"][name])


def test_every_error_response_declares_a_problem_body(spec):
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if status != "default" and int(status) < 400:
                continue
            content = _resolve(spec, response).get("content", {})
            assert list(content) == [PROBLEM], (method, path, status)
            problem = _resolve(spec, content[PROBLEM]["schema"])
            assert problem["required"] == ["detail", "status", "title", "type"]


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("POST", "/catalog/movies/", {"400", "401", "403", "413", "415", "422", "429"}),
        ("PATCH", "/catalog/movies/{movie_id}/", {"401", "403", "404", "422"}),
        ("GET", "/collection/{collection_uuid}/", {"401", "404", "429", "503"}),
        ("POST", "/request-count/reset/", {"401", "403"}),
        ("POST", "/token/refresh/", {"401"}),
        ("POST", "/register/", {"400", "409", "413", "415", "422", "429"}),
    ],
)
def test_operations_document_the_errors_they_can_give(spec, method, path, statuses):
    assert statuses <= set(spec["paths"][path][method.lower()]["responses"])


def test_public_operations_do_not_document_401(spec):
    assert "401" not in spec["paths"]["/register/"]["post"]["responses"]
    assert "401" not in spec["paths"]["/healthz"]["get"]["responses"]


def test_prices_are_documented_as_decimal_strings(spec, client):
    for schema, field in [("Offer", "price"), ("Cheapest", "price"), ("ProviderMovie", "price")]:
        price = _schema(spec, schema)["properties"][field]
        assert (price["type"], price["format"]) == ("string", "decimal"), schema


def test_no_format_is_apispecs_url(spec):
    assert '"format": "url"' not in json.dumps(spec)
    assert _schema(spec, "MoviePage")["properties"]["next"]["format"] == "uri"


@pytest.mark.parametrize("schema", ["MovieUpdate", "CollectionUpdate"])
def test_updates_that_refuse_an_empty_body_say_min_properties(spec, schema):
    assert _schema(spec, schema)["minProperties"] == 1


@pytest.mark.parametrize(
    ("schema", "field"),
    [("MovieCreate", "title"), ("CollectionCreate", "title"), ("CollectionMovie", "title")],
)
def test_text_that_must_not_be_blank_has_a_pattern(spec, schema, field):
    assert _schema(spec, schema)["properties"][field]["pattern"] == NON_BLANK_PATTERN


@pytest.mark.parametrize("text", [" ", "\t\n", "\u3000\u00a0", "\x1f \x85"])
def test_the_non_blank_pattern_refuses_what_trimming_empties(text):
    assert not text.strip()
    assert re.search(NON_BLANK_PATTERN, text) is None


@pytest.mark.parametrize("text", ["a", " a ", "\n\u200bx", "\ufeff"])
def test_the_non_blank_pattern_takes_what_trimming_keeps(text):
    assert text.strip()
    assert re.search(NON_BLANK_PATTERN, text)


def test_whitespace_only_title_is_refused_as_the_pattern_says(client, admin_headers):
    movie = {"title": " \t ", "format": "DVD", "length": 90, "release_year": 2000, "rating": 3}
    response = client.post("/catalog/movies/", json=movie, headers=admin_headers)
    assert response.status_code == 422
    assert "title" in response.json["errors"]


@pytest.mark.parametrize("url", ["http://img.example.com/a.jpg", "HTTPS://cdn.example.org"])
def test_poster_urls_the_pattern_allows_are_accepted(url):
    from src.pricing.schemas import ProviderMovieCreateSchema

    loaded = ProviderMovieCreateSchema().load(
        {"title": "Heat", "year": 1995, "price": "9.99", "poster": url}
    )
    assert loaded["poster"] == url
    assert re.search(POSTER_URL_PATTERN, url)


@pytest.mark.parametrize("url", ["http://", "http://host", "http://a.com\n", "ftp://a.com"])
def test_poster_urls_the_service_refuses_do_not_match_the_pattern(url):
    assert re.search(POSTER_URL_PATTERN, url) is None


def test_an_export_body_is_optional_in_the_spec_as_in_the_service(spec, client, user_headers):
    assert spec["paths"]["/exports/"]["post"]["requestBody"]["required"] is False
    assert client.post("/exports/", headers=user_headers).status_code == 202


def test_the_refresh_token_has_a_scheme_of_its_own(spec):
    operation = spec["paths"]["/token/refresh/"]["post"]
    assert operation["security"] == [{"refreshToken": []}]
    assert spec["components"]["securitySchemes"]["refreshToken"]["scheme"] == "bearer"
