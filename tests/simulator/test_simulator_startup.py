"""What the simulator reads at start: defaults, SIM_FAULTS, SIM_SEED, list size, stable data."""

import json

import pytest
import requests

from tests.support.simulator import (
    REQUEST_TIMEOUT_S,
    RunningSimulator,
    SimulatorDidNotStart,
    running_simulator,
)

Env = dict[str, str | None]


def movie_list_page(simulator: RunningSimulator, auth: tuple[str, str], page: int) -> dict:
    """One page of the simulator's movie list."""
    response = requests.get(
        f"{simulator.url}/api/v1/maya/movies/",
        params={"page": page},
        auth=auth,
        timeout=REQUEST_TIMEOUT_S,
    )
    response.raise_for_status()
    return response.json()


def cinemaworld_statuses(simulator: RunningSimulator, token: str, calls: int) -> list[int]:
    """The status of each of many sequential calls to cinemaworld's list."""
    return [
        requests.get(
            f"{simulator.url}/api/cinemaworld/movies",
            headers={"x-access-token": token},
            timeout=REQUEST_TIMEOUT_S,
        ).status_code
        for _ in range(calls)
    ]


def test_documented_defaults_apply_when_the_env_is_unset(simulator_env: Env) -> None:
    unset = dict.fromkeys(simulator_env)
    with running_simulator(env=unset) as simulator:
        assert cinemaworld_statuses(simulator, "dev-provider-token", calls=1) == [200]
        first_page = movie_list_page(simulator, ("maya", "maya-dev-password"), page=1)
    assert first_page["count"] == 2000


def test_sim_faults_apply_at_start(simulator_env: Env, provider_headers: dict[str, str]) -> None:
    faults = {"cinemaworld": {"error_rate": 1.0}, "movielist": {"latency_ms": 50}}
    with running_simulator(env={**simulator_env, "SIM_FAULTS": json.dumps(faults)}) as simulator:
        token = provider_headers["x-access-token"]
        assert set(cinemaworld_statuses(simulator, token, calls=10)) <= {500, 502, 503}
        listing = requests.get(f"{simulator.url}/_faults/", timeout=REQUEST_TIMEOUT_S).json()
    assert listing["cinemaworld"]["error_rate"] == 1.0
    assert listing["movielist"]["latency_ms"] == 50
    assert listing["filmworld"] == {"error_rate": 0.0, "latency_ms": 0, "hang": False}


@pytest.mark.parametrize(
    "faults",
    ['{"cinemaworld": {"error_rate": 2}}', '{"moviepalace": {}}', "not json"],
    ids=["bad-rate", "unknown-target", "not-json"],
)
def test_invalid_sim_faults_stop_the_start(simulator_env: Env, faults: str) -> None:
    with pytest.raises(SimulatorDidNotStart, match="SIM_FAULTS"):
        with running_simulator(env={**simulator_env, "SIM_FAULTS": faults}):
            pass


def test_seeded_errors_repeat_across_restarts(
    simulator_env: Env, provider_headers: dict[str, str]
) -> None:
    env = {**simulator_env, "SIM_SEED": "7", "SIM_FAULTS": '{"cinemaworld": {"error_rate": 0.5}}'}
    token = provider_headers["x-access-token"]
    runs = []
    for _ in range(2):
        with running_simulator(env=env) as simulator:
            runs.append(cinemaworld_statuses(simulator, token, calls=100))
    assert runs[0] == runs[1]
    assert 200 in runs[0] and len(set(runs[0])) > 1


def test_uuids_are_the_same_after_a_restart(
    simulator: RunningSimulator, simulator_env: Env, movie_list_auth: tuple[str, str]
) -> None:
    pages = (1, 30, 200)
    before = [movie_list_page(simulator, movie_list_auth, page)["results"] for page in pages]
    with running_simulator(env=simulator_env) as restarted:
        after = [movie_list_page(restarted, movie_list_auth, page)["results"] for page in pages]
    assert after == before


def test_list_size_sets_the_count_and_the_last_page(
    simulator: RunningSimulator, simulator_env: Env, movie_list_auth: tuple[str, str]
) -> None:
    with running_simulator(env={**simulator_env, "SIM_MOVIELIST_SIZE": "25"}) as small:
        last_page = movie_list_page(small, movie_list_auth, page=3)
        first_page = movie_list_page(small, movie_list_auth, page=1)
    assert last_page["count"] == 25
    assert len(last_page["results"]) == 5
    assert last_page["next"] is None
    assert first_page["results"] == movie_list_page(simulator, movie_list_auth, 1)["results"]
