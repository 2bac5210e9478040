"""Fault injection measured over real HTTP: errors, latency, hangs and reset."""

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.simulator import REQUEST_TIMEOUT_S, RunningSimulator

TARGETS = ("cinemaworld", "filmworld", "movielist")
SIMULATED_ERRORS = {500, 502, 503}
CALLS = 200
Fetch = Callable[..., requests.Response]


def statuses(fetch: Fetch, target: str, calls: int = CALLS) -> list[int]:
    """The status of each of many sequential calls to the target."""
    return [fetch(target).status_code for _ in range(calls)]


def elapsed_s(call: Callable[[], object]) -> float:
    """How long the call took, in seconds."""
    started = time.monotonic()
    call()
    return time.monotonic() - started


def test_every_target_starts_without_faults(simulator: RunningSimulator) -> None:
    response = requests.get(f"{simulator.url}/_faults/", timeout=REQUEST_TIMEOUT_S)
    clean = {"error_rate": 0.0, "latency_ms": 0, "hang": False}
    assert response.json() == dict.fromkeys(TARGETS, clean)


def test_put_replaces_a_targets_settings_and_defaults_the_rest(
    simulator: RunningSimulator,
) -> None:
    response = requests.put(
        f"{simulator.url}/_faults/filmworld", json={"latency_ms": 5}, timeout=REQUEST_TIMEOUT_S
    )
    assert response.status_code == 200
    listing = requests.get(f"{simulator.url}/_faults/", timeout=REQUEST_TIMEOUT_S).json()
    assert listing["filmworld"] == {"error_rate": 0.0, "latency_ms": 5, "hang": False}
    assert listing["cinemaworld"]["latency_ms"] == 0


def test_put_to_an_unknown_target_is_404(simulator: RunningSimulator) -> None:
    response = requests.put(
        f"{simulator.url}/_faults/moviepalace", json={"hang": True}, timeout=REQUEST_TIMEOUT_S
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "settings",
    [
        {"error_rate": 1.5},
        {"error_rate": -0.1},
        {"error_rate": "0.5"},
        {"error_rate": True},
        {"latency_ms": -1},
        {"latency_ms": 2.5},
        {"latency_ms": 600_000},
        {"hang": "yes"},
        {"surprise": 1},
        [],
    ],
)
def test_put_with_invalid_settings_is_422(simulator: RunningSimulator, settings: object) -> None:
    response = requests.put(
        f"{simulator.url}/_faults/cinemaworld", json=settings, timeout=REQUEST_TIMEOUT_S
    )
    assert response.status_code == 422
    assert response.json()["detail"]


def test_put_with_malformed_json_is_400(simulator: RunningSimulator) -> None:
    response = requests.put(
        f"{simulator.url}/_faults/cinemaworld", data="{oops", timeout=REQUEST_TIMEOUT_S
    )
    assert response.status_code == 400


def test_delete_resets_every_target(simulator: RunningSimulator, fetch: Fetch) -> None:
    for target in TARGETS:
        simulator.set_faults(target, error_rate=1.0, latency_ms=10)
    response = requests.delete(f"{simulator.url}/_faults/", timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 204
    assert all(fetch(target).status_code == 200 for target in TARGETS)


@pytest.mark.parametrize("target", TARGETS)
def test_error_rate_half_fails_about_half_the_calls(
    simulator: RunningSimulator, fetch: Fetch, target: str
) -> None:
    simulator.set_faults(target, error_rate=0.5)
    seen = statuses(fetch, target)
    failures = [status for status in seen if status != 200]
    assert 0.35 <= len(failures) / CALLS <= 0.65
    assert set(failures) == SIMULATED_ERRORS


@pytest.mark.parametrize("target", TARGETS)
def test_error_rate_one_fails_every_call(
    simulator: RunningSimulator, fetch: Fetch, target: str
) -> None:
    simulator.set_faults(target, error_rate=1.0)
    assert set(statuses(fetch, target, calls=30)) <= SIMULATED_ERRORS


def test_errors_stay_with_their_target(simulator: RunningSimulator, fetch: Fetch) -> None:
    simulator.set_faults("cinemaworld", error_rate=1.0)
    assert set(statuses(fetch, "filmworld", calls=30)) == {200}
    assert set(statuses(fetch, "movielist", calls=30)) == {200}


def test_seeded_errors_repeat_after_the_same_settings(
    simulator: RunningSimulator, fetch: Fetch
) -> None:
    simulator.set_faults("filmworld", error_rate=0.5)
    first_run = statuses(fetch, "filmworld")
    simulator.set_faults("filmworld", error_rate=0.5)
    assert statuses(fetch, "filmworld") == first_run


@pytest.mark.parametrize("target", TARGETS)
def test_latency_is_added_before_answering(
    simulator: RunningSimulator, fetch: Fetch, target: str
) -> None:
    simulator.set_faults(target, latency_ms=300)
    took = elapsed_s(lambda: fetch(target).raise_for_status())
    assert 0.3 <= took < 2.0


@pytest.mark.parametrize(
    ("hung", "other"), [("cinemaworld", "filmworld"), ("movielist", "cinemaworld")]
)
def test_hang_outlasts_the_client_timeout_while_another_target_answers(
    simulator: RunningSimulator, fetch: Fetch, hung: str, other: str
) -> None:
    simulator.set_faults(hung, hang=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        held = pool.submit(fetch, hung, timeout=1.0)
        time.sleep(0.2)
        assert elapsed_s(lambda: fetch(other).raise_for_status()) < 0.5
        with pytest.raises(requests.Timeout):
            held.result(timeout=5)


def test_reset_releases_a_held_request(simulator: RunningSimulator, fetch: Fetch) -> None:
    simulator.set_faults("filmworld", hang=True)
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = time.monotonic()
        held = pool.submit(fetch, "filmworld", timeout=10.0)
        time.sleep(0.3)
        simulator.reset_faults()
        assert held.result(timeout=5).status_code == 200
        assert time.monotonic() - started < 2.0
