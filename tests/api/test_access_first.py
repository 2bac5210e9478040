"""Access is decided before anything reads the request: a caller without a token, or without
the role, learns nothing about the body or the query. Checked over every route the app has,
so that new routes are held to it too."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask, url_for
from werkzeug.routing import Rule

from src import create_app
from src.accounts.auth import TOKEN_ACCESS, access_of
from tests.conftest import settings_for_tests

MALFORMED_JSON = '{"title": "Heat",'
INVALID_QUERY = {"page": "0", "page_size": "100000", "from": "not-a-date"}
NOT_JSON = "title=Heat"
SOME_UUID = uuid.UUID("0b5d6f3e-2f4a-4c39-9a53-1f0e8f6c7a21")
_PATH_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _routes_app() -> Flask:
    instance = tempfile.mkdtemp()
    return create_app(settings_for_tests(f"sqlite:///{instance}/routes.db", instance))


def _protected_calls(*, role: str | None) -> Iterator[tuple[str, str, str]]:
    """(method, path, endpoint) of every routed view that needs a token (and, when role is
    given, that role)."""
    app = _routes_app()
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            if access_of(view) not in TOKEN_ACCESS or rule.endpoint == "static":
                continue
            if rule.endpoint.startswith("api-docs."):
                continue
            if role is not None and getattr(view, "required_role", None) != role:
                continue
            path = url_for(rule.endpoint, **_path_values(rule))
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield method, path, rule.endpoint


def _path_values(rule: Rule) -> dict[str, object]:
    return {
        match["name"]: SOME_UUID if match["converter"] == "uuid" else "cinemaworld"
        for match in _PATH_VARIABLE.finditer(rule.rule)
    }


TOKEN_CALLS = list(_protected_calls(role=None))
ADMIN_CALLS = list(_protected_calls(role="admin"))


def _send_invalid(client, method: str, path: str, headers: dict[str, str], *, body: str):
    if method in {"POST", "PUT", "PATCH"}:
        return client.open(
            path, method=method, data=body, content_type="application/json", headers=headers
        )
    return client.open(path, method=method, query_string=INVALID_QUERY, headers=headers)


def _assert_problem(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == status
    assert "errors" not in response.json  # nothing about the fields


def test_the_route_lists_hold_the_operations_that_need_access():
    assert ("POST", "/catalog/movies/", "catalog.create_movie") in TOKEN_CALLS
    assert ("POST", "/request-count/reset/", "counter.reset_request_count") in ADMIN_CALLS
    assert all(call in TOKEN_CALLS for call in ADMIN_CALLS)


@pytest.mark.parametrize(("method", "path", "endpoint"), TOKEN_CALLS)
def test_without_a_token_a_malformed_body_or_query_is_401(client, method, path, endpoint):
    response = _send_invalid(client, method, path, {}, body=MALFORMED_JSON)
    _assert_problem(response, 401)


@pytest.mark.parametrize(("method", "path", "endpoint"), TOKEN_CALLS)
def test_without_a_token_a_body_that_is_not_json_is_401(client, method, path, endpoint):
    response = client.open(path, method=method, data=NOT_JSON, content_type="text/plain")
    _assert_problem(response, 401)


@pytest.mark.parametrize(("method", "path", "endpoint"), ADMIN_CALLS)
def test_as_a_user_an_invalid_body_or_query_on_an_admin_operation_is_403(
    client, user_headers, method, path, endpoint
):
    response = _send_invalid(client, method, path, user_headers, body='{"title": ""}')
    _assert_problem(response, 403)
    assert response.json["detail"] == "This action needs the admin role."


@pytest.mark.parametrize(("method", "path", "endpoint"), ADMIN_CALLS)
def test_as_a_user_a_malformed_body_on_an_admin_operation_is_403(
    client, user_headers, method, path, endpoint
):
    response = _send_invalid(client, method, path, user_headers, body=MALFORMED_JSON)
    _assert_problem(response, 403)


def test_as_an_admin_the_body_is_then_checked(client, admin_headers):
    response = client.post("/catalog/movies/", json={"title": ""}, headers=admin_headers)
    assert response.status_code == 422
    assert "title" in response.json["errors"]
