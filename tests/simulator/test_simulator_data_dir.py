"""SIM_PROVIDER_DATA_DIR: the providers' records from another folder (e.g. malformed ones)."""

import json

import pytest
import requests

from tests.support.simulator import REQUEST_TIMEOUT_S, SimulatorDidNotStart, running_simulator

Env = dict[str, str | None]


def write_records(folder, provider, records):
    (folder / f"{provider}.json").write_text(json.dumps({"movies": records}), encoding="utf-8")


def test_records_come_from_the_given_folder(simulator_env: Env, provider_headers, tmp_path):
    odd = {"Title": "Odd", "Year": "2001", "ID": "cw0000001", "Price": "not a price"}
    write_records(tmp_path, "cinemaworld", [odd])
    write_records(tmp_path, "filmworld", [])
    env = {**simulator_env, "SIM_PROVIDER_DATA_DIR": str(tmp_path)}
    with running_simulator(env=env) as simulator:
        base = f"{simulator.url}/api"
        listed = requests.get(f"{base}/cinemaworld/movies", headers=provider_headers, timeout=5)
        record = requests.get(
            f"{base}/cinemaworld/movies/cw0000001", headers=provider_headers, timeout=5
        )
        empty = requests.get(f"{base}/filmworld/movies", headers=provider_headers, timeout=5)
    assert [movie["ID"] for movie in listed.json()["Movies"]] == ["cw0000001"]
    assert record.json() == odd
    assert empty.json() == {"Movies": []}


def test_a_folder_without_both_files_stops_the_start(simulator_env: Env, tmp_path):
    write_records(tmp_path, "cinemaworld", [])
    env = {**simulator_env, "SIM_PROVIDER_DATA_DIR": str(tmp_path)}
    with pytest.raises(SimulatorDidNotStart, match="SIM_PROVIDER_DATA_DIR .* lacks filmworld.json"):
        with running_simulator(env=env):
            pass


def test_the_sample_records_are_served_when_unset(simulator_env: Env, provider_headers):
    # A simulator of its own: the session's has the movies other tests posted to it.
    env = {**simulator_env, "SIM_PROVIDER_DATA_DIR": None}
    with running_simulator(env=env) as simulator:
        url = f"{simulator.url}/api/filmworld/movies"
        movies = requests.get(url, headers=provider_headers, timeout=REQUEST_TIMEOUT_S).json()
    assert len(movies["Movies"]) == 6
