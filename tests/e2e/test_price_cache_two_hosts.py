"""Two gunicorn instances (two hosts) on one Postgres, each worker with its read cache of the
prices: after one refresh (the worker's, run as `flask refresh-prices`) both instances answer
the new prices at the next request, by the JSON reads and the pages, and neither answers 304
for an ETag the refresh made old."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, SIMULATOR_CREDENTIALS, SIMULATOR_PROVIDER_TOKEN
from tests.e2e.counter_support import delete_test_users, needs_postgres, register
from tests.support.processes import (
    RunningServer,
    instance_env,
    migrate,
    run_flask,
    running_gunicorn,
)
from tests.support.simulator import RunningSimulator, running_simulator

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

TIMEOUT_S = 10
# Reads sent to each host before and after the refresh, each on a new connection: gunicorn
# hands them to either of its workers, so every worker's cache is warm and asked after.
READS = 6
NEW_MOVIE = {"Title": "Heat", "Year": "1995", "ID": "fw9900003", "Type": "movie", "Price": "2.25"}
PATHS = ["/prices/movies/", "/prices/movies/0076759/", "/", "/?q=heat", "/films/0076759"]
PRICE_TABLES = ("provider_offers", "provider_status", "price_history", "price_refresh_counts")


def _empty_prices() -> None:
    """Past the app, with the bump a refresh makes: no process keeps what was removed."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            for table in PRICE_TABLES:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (constants)
            connection.execute(
                text("UPDATE revisions SET value = value + 1, stamp = stamp + 1 WHERE name = :n"),
                {"n": "prices"},
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def simulator() -> Iterator[RunningSimulator]:
    """A simulator of this module's own: the test adds a movie to it."""
    env = {**SIMULATOR_CREDENTIALS, "SIM_FAULTS": None, "SIM_PROVIDER_DATA_DIR": None}
    with running_simulator(env=env) as running:
        yield running


@pytest.fixture(scope="module")
def hosts(
    simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[dict[str, str], RunningServer, RunningServer, dict[str, str]]]:
    def env(name: str) -> dict[str, str]:
        folder: Path = tmp_path_factory.mktemp(f"price-cache-host-{name}")
        return {
            **SIMULATOR_CREDENTIALS,
            "CINEMAWORLD_URL": f"{simulator.url}/api/cinemaworld",
            "FILMWORLD_URL": f"{simulator.url}/api/filmworld",
            **instance_env(folder, POSTGRES_URL),
            "REQUEST_COUNTER_ENABLED": "false",
            "ACCESS_LOG": "false",
        }

    envs = [env("a"), env("b")]
    migrate(envs[0])
    _empty_prices()
    try:
        with (
            running_gunicorn(envs[0], workers=2, threads=2) as host_a,
            running_gunicorn(envs[1], workers=2, threads=2) as host_b,
        ):
            yield envs[0], host_a, host_b, register(host_a.url)
    finally:
        _empty_prices()
        delete_test_users(POSTGRES_URL)


def _get(host: RunningServer, path: str, headers: dict[str, str], etag: str | None = None):
    """One GET on a connection of its own (requests.get opens and closes one)."""
    extra = {"If-None-Match": etag} if etag else {}
    return requests.get(f"{host.url}{path}", headers={**headers, **extra}, timeout=TIMEOUT_S)


def _warm(host: RunningServer, headers: dict[str, str]) -> dict[str, str]:
    """Every path READS times (each worker answers and keeps it); the ETags they carry."""
    etags = {}
    for _ in range(READS):
        for path in PATHS:
            response = _get(host, path, headers)
            assert response.status_code == 200, (host.url, path, response.text[:300])
            etags[path] = response.headers["ETag"]
    return etags


def _add_to_filmworld(simulator: RunningSimulator) -> None:
    response = requests.post(
        f"{simulator.url}/api/filmworld/movie",
        json=NEW_MOVIE,
        headers={"x-access-token": SIMULATOR_PROVIDER_TOKEN},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 201, response.text


def test_after_one_refresh_both_hosts_answer_the_new_prices_at_the_next_request(hosts, simulator):
    env, host_a, host_b, user = hosts
    run_flask("refresh-prices", env=env)
    etags = {host.url: _warm(host, user) for host in (host_a, host_b)}
    # The same prices on both hosts: the same bodies, so the same ETags.
    assert etags[host_a.url] == etags[host_b.url]
    assert "Heat" not in _get(host_b, "/", user).text
    _add_to_filmworld(simulator)
    run_flask("refresh-prices", env=env)
    changed = {path for path in PATHS if path != "/films/0076759"}  # its page shows neither
    for host in (host_a, host_b):
        for path, etag in etags[host.url].items():
            now = _get(host_a, path, user).headers["ETag"]
            answers = [_get(host, path, user, etag) for _ in range(READS)]
            expected = {304} if now == etag else {200}  # never 304 once the answer changed
            assert {answer.status_code for answer in answers} == expected, (host.url, path)
            assert {answer.headers["ETag"] for answer in answers} == {now}, (host.url, path)
            if path in changed:
                assert now != etag, path
        board = _get(host, "/prices/movies/", user).json()
        heat = next(movie for movie in board["data"] if movie["id"] == "9900003")
        assert heat["cheapest"] == {"provider": "filmworld", "price": "2.25"}
        assert "Heat" in _get(host, "/?q=heat", user).text
        assert _get(host, "/prices/movies/9900003/", user).status_code == 200
