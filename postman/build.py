"""Writes the Postman v2.1 collection from the compact request list below.

    .venv/bin/python postman/build.py      # rewrites postman/movie-service.postman_collection.json

The JSON file is committed for Postman users; a test checks it matches this script.
Each request is (name, method, path, body or None, test script lines).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLLECTION = HERE / "movie-service.postman_collection.json"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

Request = tuple[str, str, str, Any, list[str]]


def status(code: int) -> str:
    return f"pm.test('status {code}', () => pm.response.to.have.status({code}));"


def problem(code: int) -> list[str]:
    return [
        status(code),
        "pm.test('problem+json', () => pm.expect(pm.response.headers.get('Content-Type'))"
        ".to.include('application/problem+json'));",
        f"pm.test('problem status', () => pm.expect(pm.response.json().status).to.eql({code}));",
    ]


def keep(variable: str, expression: str) -> str:
    return f"pm.collectionVariables.set('{variable}', {expression});"


FOLDERS: dict[str, list[Request]] = {
    "Health": [
        ("Liveness", "GET", "/healthz", None, [status(200)]),
        ("Readiness", "GET", "/readyz", None, [status(200)]),
        (
            "OpenAPI spec",
            "GET",
            "/openapi.json",
            None,
            [
                status(200),
                "pm.test('has paths', () => "
                "pm.expect(pm.response.json().paths).to.be.an('object'));",
            ],
        ),
    ],
    "Accounts": [
        (
            "Register",
            "POST",
            "/register/",
            {"username": "{{username}}", "password": "{{password}}"},
            [
                status(201),
                keep("accessToken", "pm.response.json().access_token"),
                keep("refreshToken", "pm.response.json().refresh_token"),
            ],
        ),
        (
            "Register again is 409",
            "POST",
            "/register/",
            {"username": "{{username}}", "password": "{{password}}"},
            problem(409),
        ),
        (
            "Login",
            "POST",
            "/login/",
            {"username": "{{username}}", "password": "{{password}}"},
            [
                status(200),
                keep("accessToken", "pm.response.json().access_token"),
                keep("refreshToken", "pm.response.json().refresh_token"),
            ],
        ),
        (
            "Login with a wrong password is 401",
            "POST",
            "/login/",
            {"username": "{{username}}", "password": "not-the-password"},
            problem(401),
        ),
        (
            "Refresh the access token",
            "POST",
            "/token/refresh/",
            None,
            [
                status(200),
                keep("accessToken", "pm.response.json().access_token"),
            ],
        ),
        (
            "Who am I",
            "GET",
            "/me/",
            None,
            [
                status(200),
                "pm.test('is the user', () => pm.expect(pm.response.json().username)"
                ".to.eql(pm.collectionVariables.get('username')));",
            ],
        ),
        (
            "Admin login",
            "POST",
            "/login/",
            {"username": "{{adminUsername}}", "password": "{{adminPassword}}"},
            [
                status(200),
                keep("adminToken", "pm.response.json().access_token"),
            ],
        ),
    ],
    "Catalog": [
        (
            "Create a movie (admin)",
            "POST",
            "/catalog/movies/",
            {
                "title": "Heat {{runId}}",
                "format": "DVD",
                "length": 170,
                "release_year": 1995,
                "rating": 5,
                "genres": ["Crime", "Drama"],
                "director": "Michael Mann",
                "expiry_date": "2030-06-01",
            },
            [status(201), keep("movieId", "pm.response.json().id")],
        ),
        (
            "Create as a user is 403",
            "POST",
            "/catalog/movies/",
            {
                "title": "Nope",
                "format": "DVD",
                "length": 1,
                "release_year": 2000,
                "rating": 1,
            },
            problem(403),
        ),
        (
            "Create with invalid fields is 422 (admin)",
            "POST",
            "/catalog/movies/",
            {
                "title": "",
                "format": "dvd",
                "length": 501,
                "release_year": 1799,
                "rating": 6,
            },
            [
                *problem(422),
                "pm.test('lists the fields', () => "
                "pm.expect(Object.keys(pm.response.json().errors)).to.include.members("
                "['title', 'format', 'length', 'release_year', 'rating']));",
            ],
        ),
        (
            "Get the movie",
            "GET",
            "/catalog/movies/{{movieId}}/",
            None,
            [
                status(200),
                "pm.test('genres', () => pm.expect(pm.response.json().genres)"
                ".to.eql(['Crime', 'Drama']));",
            ],
        ),
        (
            "Search by genre and rating",
            "GET",
            "/catalog/movies/?genre=crime&rating=5&q={{runId}}",
            None,
            [
                status(200),
                "pm.test('finds it', () => pm.expect(pm.response.json().count).to.eql(1));",
            ],
        ),
        (
            "Expired in a range",
            "GET",
            "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31",
            None,
            [status(200)],
        ),
        (
            "Expired range backwards is 422",
            "GET",
            "/catalog/movies/expired/?from=2031-01-01&to=2030-01-01",
            None,
            problem(422),
        ),
        (
            "Change the rating (admin)",
            "PATCH",
            "/catalog/movies/{{movieId}}/",
            {"rating": 4},
            [
                status(200),
                "pm.test('changed', () => pm.expect(pm.response.json().rating).to.eql(4));",
            ],
        ),
        ("Genres", "GET", "/catalog/genres/", None, [status(200)]),
        ("Delete the movie (admin)", "DELETE", "/catalog/movies/{{movieId}}/", None, [status(204)]),
        ("The deleted movie is 404", "GET", "/catalog/movies/{{movieId}}/", None, problem(404)),
    ],
    "Logout": [
        ("Log out", "POST", "/logout/", None, [status(200)]),
        ("The revoked token is 401", "GET", "/me/", None, problem(401)),
    ],
}

NO_AUTH = {
    "Register",
    "Register again is 409",
    "Login",
    "Login with a wrong password is 401",
    "Admin login",
    "Liveness",
    "Readiness",
    "OpenAPI spec",
}
REFRESH_AUTH = {"Refresh the access token"}


def _token_variable(name: str) -> str:
    if name in REFRESH_AUTH:
        return "refreshToken"
    return "adminToken" if "(admin)" in name else "accessToken"


def _auth(name: str) -> dict[str, Any]:
    if name in NO_AUTH:
        return {"type": "noauth"}
    value = "{{" + _token_variable(name) + "}}"
    return {"type": "bearer", "bearer": [{"key": "token", "value": value, "type": "string"}]}


def _item(request: Request) -> dict[str, Any]:
    name, method, path, body, tests = request
    raw_path, _, query = path.partition("?")
    url: dict[str, Any] = {
        "raw": "{{baseUrl}}" + path,
        "host": ["{{baseUrl}}"],
        "path": [part for part in raw_path.split("/") if part]
        + ([""] if raw_path.endswith("/") else []),
    }
    if query:
        url["query"] = [
            dict(zip(("key", "value"), pair.split("=", 1), strict=True))
            for pair in query.split("&")
        ]
    spec: dict[str, Any] = {"method": method, "url": url, "auth": _auth(name), "header": []}
    if body is not None:
        spec["header"] = [{"key": "Content-Type", "value": "application/json"}]
        spec["body"] = {"mode": "raw", "raw": json.dumps(body, indent=2)}
    return {
        "name": name,
        "request": spec,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": tests}}],
    }


def collection() -> dict[str, Any]:
    """The whole collection as a dict."""
    prepare = [
        "if (!pm.collectionVariables.get('runId')) {",
        "  const runId = Date.now().toString(36);",
        "  pm.collectionVariables.set('runId', runId);",
        "  pm.collectionVariables.set('username', 'postman_' + runId);",
        "}",
    ]
    return {
        "info": {
            "name": "Movie service",
            "schema": SCHEMA,
            "description": "Every endpoint of the movie service, with tests. Set baseUrl, "
            "adminUsername and adminPassword in the environment.",
        },
        "event": [{"listen": "prerequest", "script": {"type": "text/javascript", "exec": prepare}}],
        "variable": [
            {"key": key, "value": value}
            for key, value in (
                ("runId", ""),
                ("username", ""),
                ("password", "postman-password-1"),
                ("accessToken", ""),
                ("refreshToken", ""),
                ("adminToken", ""),
                ("movieId", ""),
            )
        ],
        "item": [
            {"name": folder, "item": [_item(request) for request in requests]}
            for folder, requests in FOLDERS.items()
        ],
    }


def render() -> str:
    return json.dumps(collection(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    COLLECTION.write_text(render(), encoding="utf-8")
    print(f"wrote {COLLECTION.relative_to(HERE.parent)}")
