"""Two gunicorn instances (two hosts) on one Postgres: a revocation on one is refused by the
other at its very next request, whatever the instance or worker that checks the token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD, POSTGRES_URL, bearer
from tests.e2e.counter_support import needs_postgres
from tests.support.processes import (
    RunningServer,
    instance_env,
    migrate,
    run_flask,
    running_gunicorn,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

USER_PREFIX = "revocation-e2e-"
TIMEOUT_S = 10.0
NEW_PASSWORD = "a-new-password-for-both"
# Each worker checks tokens on its own connections: ask often enough to meet every worker.
TRIES = 8


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    env = {
        **instance_env(tmp_path_factory.mktemp("revocation"), POSTGRES_URL),
        "REQUEST_COUNTER_ENABLED": "false",
    }
    migrate(env)
    yield env
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(
            text("DELETE FROM users WHERE username LIKE :prefix"), {"prefix": f"{USER_PREFIX}%"}
        )
    engine.dispose()


@pytest.fixture(scope="module")
def hosts(env: dict[str, str]) -> Iterator[tuple[RunningServer, RunningServer]]:
    with running_gunicorn(env, workers=2, threads=2) as a, running_gunicorn(env, workers=2) as b:
        yield a, b


def _username() -> str:
    return f"{USER_PREFIX}{uuid.uuid4().hex[:10]}"


def _post(host: RunningServer, path: str, **kwargs: object) -> requests.Response:
    return requests.post(f"{host.url}{path}", timeout=TIMEOUT_S, **kwargs)  # type: ignore[arg-type]


def _login(host: RunningServer, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = _post(host, "/login/", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def _register(host: RunningServer) -> tuple[str, dict[str, str]]:
    username = _username()
    response = _post(host, "/register/", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return username, response.json()


def _me(host: RunningServer, tokens: dict[str, str]) -> list[requests.Response]:
    """GET /me/ TRIES times on new connections (so on any of the host's workers)."""
    return [
        requests.get(f"{host.url}/me/", headers=bearer(tokens["access_token"]), timeout=TIMEOUT_S)
        for _ in range(TRIES)
    ]


def _statuses(host: RunningServer, tokens: dict[str, str]) -> set[int]:
    return {response.status_code for response in _me(host, tokens)}


def _assert_revoked(host: RunningServer, tokens: dict[str, str]) -> None:
    answers = _me(host, tokens)
    assert {answer.status_code for answer in answers} == {401}
    assert all(answer.headers["Content-Type"] == "application/problem+json" for answer in answers)
    assert all("revoked" in answer.json()["detail"] for answer in answers)
    refreshed = _post(host, "/token/refresh/", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 401


def test_a_logout_on_one_host_is_refused_at_once_on_the_other(hosts):
    a, b = hosts
    _, tokens = _register(a)
    assert _statuses(a, tokens) == _statuses(b, tokens) == {200}
    assert _post(a, "/logout/", headers=bearer(tokens["access_token"])).status_code == 200
    _assert_revoked(b, tokens)
    _assert_revoked(a, tokens)


def test_logout_everywhere_on_one_host_ends_every_session_on_the_other(hosts):
    a, b = hosts
    username, first = _register(a)
    second = _login(b, username)
    assert _statuses(b, first) == _statuses(b, second) == {200}
    assert _post(a, "/logout/all/", headers=bearer(first["access_token"])).status_code == 204
    _assert_revoked(b, first)
    _assert_revoked(b, second)


def test_a_password_change_on_one_host_ends_the_other_sessions_on_the_other(hosts):
    a, b = hosts
    username, this = _register(a)
    other = _login(b, username)
    assert _statuses(b, other) == {200}
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    changed = _post(a, "/password/", json=body, headers=bearer(this["access_token"]))
    assert changed.status_code == 204
    _assert_revoked(b, other)
    assert _statuses(b, this) == {200}  # the session that changed it stays


def test_a_role_change_by_the_cli_is_refused_at_once_on_both_hosts(hosts, env):
    a, b = hosts
    username, tokens = _register(a)
    assert {answer.json()["role"] for answer in _me(b, tokens)} == {"user"}
    run_flask("create-admin", "--username", username, "--password", NEW_PASSWORD, env=env)
    _assert_revoked(b, tokens)
    _assert_revoked(a, tokens)
    admin = _login(b, username, NEW_PASSWORD)
    assert {answer.json()["role"] for answer in _me(a, admin)} == {"admin"}
