"""Shared by the request counter's end-to-end tests: the database, accounts and traffic."""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD, POSTGRES_URL, bearer
from tests.support.processes import run_flask
from tests.support.traffic import Call, send_concurrently

USER_PREFIX = "counter-e2e-"
TIMEOUT_S = 10.0

needs_postgres = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="needs TEST_DATABASE_URL: the striped counter across processes runs on Postgres "
    "(CI always sets it)",
)


def stored_count(url: str) -> int:
    """The count as the database holds it, read past the app."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT coalesce(sum(count), 0) FROM request_counter")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def zero_counter(url: str) -> None:
    """Set every slot to 0 past the app (setup and cleanup of the tests that commit)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE request_counter SET count = 0"))
    finally:
        engine.dispose()


def delete_test_users(url: str) -> None:
    """Remove the accounts these tests committed (their revoked tokens go with them)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM users WHERE username LIKE :prefix"),
                {"prefix": USER_PREFIX + "%"},
            )
    finally:
        engine.dispose()


def new_username(role: str) -> str:
    return f"{USER_PREFIX}{role}-{uuid.uuid4().hex[:8]}"


def register(base_url: str) -> dict[str, str]:
    """A new user's bearer headers."""
    response = requests.post(
        f"{base_url}/register/",
        json={"username": new_username("user"), "password": PASSWORD},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 201, response.text
    return bearer(response.json()["access_token"])


def admin_headers(base_url: str, env: dict[str, str]) -> dict[str, str]:
    """A new admin (made with the CLI) logged in over HTTP."""
    username = new_username("admin")
    run_flask("create-admin", "--username", username, "--password", PASSWORD, env=env)
    response = requests.post(
        f"{base_url}/login/", json={"username": username, "password": PASSWORD}, timeout=TIMEOUT_S
    )
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def read_count(base_url: str, headers: dict[str, str]) -> int:
    response = requests.get(f"{base_url}/request-count/", headers=headers, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    return int(response.json()["requests"])


def mixed_calls(total: int, user: dict[str, str]) -> list[Call]:
    """`total` requests over paths that answer 200, 401, 404, 405 and 422."""
    kinds = [
        Call("GET", "/healthz", expect=200),
        Call("GET", "/catalog/movies/?page_size=5", {"headers": user}, expect=200),
        Call("GET", "/no/such/page/", expect=404),
        Call("GET", "/catalog/movies/?rating=9", {"headers": user}, expect=422),
        Call("POST", "/register/", {"json": {"username": "x"}}, expect=422),
        Call("DELETE", "/healthz", expect=405),
        Call("GET", "/catalog/movies/", expect=401),
    ]
    return list(itertools.islice(itertools.cycle(kinds), total))


def expected_statuses(calls: Sequence[Call]) -> Counter[int]:
    return Counter(call.expect for call in calls if call.expect is not None)


def reset_halfway(
    base_url: str, calls: Sequence[Call], *, admin: dict[str, str], clients: int
) -> requests.Response:
    """Send the calls concurrently, and an admin's reset once half of them were answered."""
    halfway = threading.Event()
    answers: dict[str, Any] = {}

    def reset_at_halfway() -> None:
        if halfway.wait(timeout=60):
            answers["reset"] = requests.post(
                f"{base_url}/request-count/reset/", headers=admin, timeout=TIMEOUT_S
            )

    resetter = threading.Thread(target=reset_at_halfway)
    resetter.start()
    send_concurrently(
        base_url,
        calls,
        clients=clients,
        on_sent=lambda sent: sent >= len(calls) // 2 and halfway.set(),
    )
    resetter.join(timeout=TIMEOUT_S)
    return answers["reset"]
