"""Writes the Postman v2.1 collection from the compact request lists in requests_*.py.

    .venv/bin/python postman/build.py      # rewrites postman/movie-service.postman_collection.json

The JSON file is committed for Postman users; a test checks it matches this script.
Each request is a steps.Request: name, method, path, body or None, test script lines, and the
token it carries (the user's unless said otherwise).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # also when loaded with runpy (the unit test)
    sys.path.insert(0, str(HERE))

from requests_basics import ACCOUNTS, HEALTH  # noqa: E402
from requests_catalog import CATALOG  # noqa: E402
from requests_exports import EXPORTS  # noqa: E402
from requests_movies import COLLECTIONS, MOVIE_LIST  # noqa: E402
from requests_service import COUNTER, METRICS, PAGES, PRICES  # noqa: E402
from requests_sessions import LOGOUT, SESSIONS  # noqa: E402
from steps import NO_TOKEN, SPLICE, Request  # noqa: E402

COLLECTION = HERE / "movie-service.postman_collection.json"
SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

# In the order newman runs them; "Logout" revokes the user's sessions, so it stays last.
FOLDERS: dict[str, list[Request]] = {
    "Health and docs": HEALTH,
    "Accounts": ACCOUNTS,
    "Login sessions": SESSIONS,
    "Catalog": CATALOG,
    "Movie list": MOVIE_LIST,
    "Collections": COLLECTIONS,
    "Request counter": COUNTER,
    "Prices": PRICES,
    "Customer pages": PAGES,
    "Metrics": METRICS,
    "Exports": EXPORTS,
    "Logout": LOGOUT,
}

VARIABLES = (
    ("runId", ""),
    ("username", ""),
    ("otherUsername", ""),
    ("password", "postman-password-1"),
    ("accessToken", ""),
    ("refreshToken", ""),
    ("usedRefreshToken", ""),
    ("secondToken", ""),
    ("adminToken", ""),
    ("otherToken", ""),
    ("movieId", ""),
    ("listedMovies", "[]"),
    ("pickedMovies", "[]"),
    ("pastLastPage", ""),
    ("collectionId", ""),
    ("requestCount", ""),
    ("exportId", ""),
)

# Runs before every request: names for this run when no request has set them yet.
PREPARE = [
    "if (!pm.collectionVariables.get('runId')) {",
    "  const runId = Date.now().toString(36);",
    "  pm.collectionVariables.set('runId', runId);",
    "  pm.collectionVariables.set('username', 'postman_' + runId);",
    "  pm.collectionVariables.set('otherUsername', 'postman_' + runId + '_other');",
    "}",
]


def _auth(token_variable: str) -> dict[str, Any]:
    if token_variable == NO_TOKEN:
        return {"type": "noauth"}
    value = "{{" + token_variable + "}}"
    return {"type": "bearer", "bearer": [{"key": "token", "value": value, "type": "string"}]}


def _url(path: str) -> dict[str, Any]:
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
    return url


def _raw_body(body: Any) -> str:
    """The body as JSON text, with spliced variables unquoted (see steps.spliced)."""
    text = json.dumps(body, indent=2)
    return re.sub('"' + re.escape(SPLICE) + r'(\w+)"', r"{{\1}}", text)


def _script(listen: str, lines: Any) -> dict[str, Any]:
    return {"listen": listen, "script": {"type": "text/javascript", "exec": list(lines)}}


def _item(request: Request) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "method": request.method,
        "url": _url(request.path),
        "auth": _auth(request.auth),
        "header": [],
    }
    if request.body is not None:
        spec["header"] = [{"key": "Content-Type", "value": "application/json"}]
        spec["body"] = {"mode": "raw", "raw": _raw_body(request.body)}
    events = [_script("prerequest", request.prerequest)] if request.prerequest else []
    item: dict[str, Any] = {
        "name": request.name,
        "request": spec,
        "event": [*events, _script("test", request.tests)],
    }
    if not request.follow_redirects:
        item["protocolProfileBehavior"] = {"followRedirects": False}
    return item


def collection() -> dict[str, Any]:
    """The whole collection as a dict."""
    return {
        "info": {
            "name": "Movie service",
            "schema": SCHEMA,
            "description": "Every endpoint of the movie service, with tests. Set baseUrl, "
            "adminUsername and adminPassword in the environment.",
        },
        "event": [_script("prerequest", PREPARE)],
        "variable": [{"key": key, "value": value} for key, value in VARIABLES],
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
