"""The providers' load does not grow with the fleet: two web instances of 4 workers each
and a worker process call the providers exactly as often as one refresh does, and a second
worker process does not double it (one refresh per interval, decided in the database).
Counted by the simulator itself; real gunicorn and real `flask --app wsgi worker` processes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from tests.conftest import PASSWORD, SIMULATOR_CREDENTIALS
from tests.prices.conftest import sample_records
from tests.support.processes import RunningServer, instance_env, migrate, running_gunicorn
from tests.support.simulator import RunningSimulator, running_simulator
from tests.support.worker import running_worker, wait_for

pytestmark = pytest.mark.e2e
PROVIDERS = ("cinemaworld", "filmworld")
WORKER_START_LIMIT_S = 30.0
SECOND_TICK_LIMIT_S = 90.0
PAGES = ["/", "/prices/movies/", "/films/0076759", "/prices/movies/0076759/"]


def one_refresh_calls() -> dict[str, dict[str, int]]:
    """What one refresh asks each provider: its list once, then each record once."""
    return {
        provider: {
            f"/api/{provider}/movies": 1,
            **{f"/api/{provider}/movies/{r['ID']}": 1 for r in sample_records(provider)},
        }
        for provider in PROVIDERS
    }


@pytest.fixture(scope="module")
def fleet_simulator() -> Iterator[RunningSimulator]:
    env = {**SIMULATOR_CREDENTIALS, "SIM_FAULTS": None, "SIM_PROVIDER_DATA_DIR": None}
    with running_simulator(env=env) as simulator:
        yield simulator


def site_env(simulator: RunningSimulator, folder: Path) -> dict[str, str]:
    return {
        **SIMULATOR_CREDENTIALS,
        "CINEMAWORLD_URL": f"{simulator.url}/api/cinemaworld",
        "FILMWORLD_URL": f"{simulator.url}/api/filmworld",
        **instance_env(folder),
        "ACCESS_LOG": "false",
        "LOG_LEVEL": "INFO",
    }


def worker_env(env: dict[str, str], name: str) -> dict[str, str]:
    """A worker with a queue of its own, as on another host: only the database is shared."""
    return {**env, "QUEUE_URL": f"sqlite:///{Path(env['INSTANCE_DIR']) / name}.db"}


def token(server: RunningServer) -> dict[str, str]:
    body = {"username": "fleet-shopper", "password": PASSWORD}
    response = requests.post(f"{server.url}/register/", json=body, timeout=10)
    if response.status_code == 409:
        response = requests.post(f"{server.url}/login/", json=body, timeout=10)
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def prices_status(server: RunningServer, headers: dict[str, str]) -> int:
    return requests.get(f"{server.url}/prices/movies/", headers=headers, timeout=10).status_code


def test_two_web_instances_and_a_worker_call_the_providers_as_one_refresh(
    fleet_simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = site_env(fleet_simulator, tmp_path)
    migrate(env)
    fleet_simulator.reset_stats()
    with ExitStack() as stack:
        webs = [stack.enter_context(running_gunicorn(env, workers=4, threads=2)) for _ in "ab"]
        headers = token(webs[0])
        assert [prices_status(web, headers) for web in webs] == [503, 503]  # cold: none known
        stack.enter_context(running_worker(worker_env(env, "queue-w1"), tmp_path / "w1.log"))
        for web in webs:
            wait_for(
                lambda web=web: prices_status(web, headers) == 200 or None,
                limit_s=WORKER_START_LIMIT_S,
                what="the worker's first refresh",
            )
        for _ in range(5):
            for web in webs:
                for page in PAGES:
                    response = requests.get(f"{web.url}{page}", headers=headers, timeout=10)
                    assert response.status_code == 200, (web.url, page)
        metrics = requests.get(f"{webs[1].url}/metrics", timeout=10).text
    calls = fleet_simulator.stats()
    assert {provider: calls[provider] for provider in PROVIDERS} == one_refresh_calls()
    assert 'price_refreshes_total{outcome="ok",provider="cinemaworld"} 1.0' in metrics
    assert 'price_provider_last_success_age_seconds{provider="filmworld"}' in metrics


def refresh_ticks(log_path: Path) -> list[tuple[str, str]]:
    """(interval, "refreshed" or "skipped") for each refresh tick the worker logged."""
    ticks = []
    for line in log_path.read_text().splitlines():
        entry = json.loads(line) if line.startswith("{") else {}
        if entry.get("message") == "prices refreshed":
            ticks.append((entry["interval"], "refreshed"))
        elif entry.get("message") == "prices of this interval are already refreshed":
            ticks.append((entry["interval"], "skipped"))
    return ticks


def test_two_worker_processes_refresh_once_per_interval(
    fleet_simulator: RunningSimulator, tmp_path: Path
) -> None:
    env = site_env(fleet_simulator, tmp_path)
    migrate(env)
    fleet_simulator.reset_stats()
    logs = [tmp_path / f"{name}.log" for name in ("w1", "w2")]
    with ExitStack() as stack:
        for log in logs:
            stack.enter_context(running_worker(worker_env(env, f"queue-{log.stem}"), log))
        wait_for(
            lambda: len([t for log in logs for t in refresh_ticks(log)]) >= 2 or None,
            limit_s=WORKER_START_LIMIT_S,
            what="both workers' first refresh tick",
        )
        # huey's scheduler ticks when a worker starts, then every 60 s: wait for the second.
        wait_for(
            lambda: len([t for log in logs for t in refresh_ticks(log)]) >= 4 or None,
            limit_s=SECOND_TICK_LIMIT_S,
            what="both workers' second refresh tick",
            interval_s=0.5,
        )
    ticks = [tick for log in logs for tick in refresh_ticks(log)]
    refreshed = [interval for interval, what in ticks if what == "refreshed"]
    assert len(refreshed) == len(set(refreshed)) >= 2, ticks  # each interval once, two of them
    assert {interval for interval, _ in ticks} == set(refreshed), ticks  # no tick went unserved
    calls = fleet_simulator.stats()
    for provider, expected in one_refresh_calls().items():
        assert calls[provider] == {path: len(refreshed) for path in expected}
