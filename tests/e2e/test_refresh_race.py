"""Simultaneous refreshes with one refresh token against real gunicorn workers: one wins.

Two gunicorn workers of four threads each on the backend under test; each round a new
login's refresh token is sent by four client threads released together. Exactly one gets a
new pair; the others presented a used token, which revokes the session (reuse detection),
so the winner's new tokens are refused afterwards too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import pytest
import requests
from sqlalchemy import make_url

from tests.conftest import PASSWORD, POSTGRES_URL, bearer, postgres_database
from tests.support.processes import RunningServer, instance_env, migrate, running_gunicorn

pytestmark = pytest.mark.e2e

ROUNDS = 8
CONTENDERS = 4
TIMEOUT_S = 15.0


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    instance_dir = tmp_path_factory.mktemp(f"refresh-race-{backend}")
    name = f"{make_url(POSTGRES_URL).database}_refresh_race" if backend == "postgres" else ""
    with postgres_database(name) if name else nullcontext(None) as url:
        env = instance_env(instance_dir, url)
        migrate(env)
        with running_gunicorn(env, workers=2, threads=CONTENDERS) as running:
            yield running


def _register(server: RunningServer, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD}
    response = requests.post(f"{server.url}/register/", json=body, timeout=TIMEOUT_S)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _refresh_together(server: RunningServer, refresh_token: str) -> list[requests.Response]:
    start = threading.Barrier(CONTENDERS)

    def refresh(_: int) -> requests.Response:
        with requests.Session() as session:  # each its own connection, opened before the start
            session.get(f"{server.url}/healthz", timeout=TIMEOUT_S)
            start.wait(TIMEOUT_S)
            return session.post(
                f"{server.url}/token/refresh/", headers=bearer(refresh_token), timeout=TIMEOUT_S
            )

    with ThreadPoolExecutor(CONTENDERS) as pool:
        return list(pool.map(refresh, range(CONTENDERS)))


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_of_simultaneous_refreshes_with_one_token_exactly_one_wins(server, round_number):
    tokens = _register(server, f"race-{round_number}")

    answers = _refresh_together(server, tokens["refresh_token"])

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [401] * (CONTENDERS - 1), [a.text for a in answers]
    assert all(
        a.headers["Content-Type"] == "application/problem+json"
        for a in answers
        if a.status_code == 401
    )
    winner = next(answer.json() for answer in answers if answer.status_code == 200)
    me = requests.get(
        f"{server.url}/me/", headers=bearer(winner["access_token"]), timeout=TIMEOUT_S
    )
    assert me.status_code == 401  # the losers' reuse revoked the session
    again = requests.post(
        f"{server.url}/token/refresh/", headers=bearer(winner["refresh_token"]), timeout=TIMEOUT_S
    )
    assert again.status_code == 401
