"""The simulator counts the requests each target receives, by path: /_stats/."""

from collections.abc import Callable

import requests

from tests.support.simulator import REQUEST_TIMEOUT_S, RunningSimulator

Fetch = Callable[..., requests.Response]


def test_each_request_is_counted_by_target_and_path(
    simulator: RunningSimulator, fetch: Fetch, provider_headers: dict[str, str]
) -> None:
    simulator.reset_stats()
    fetch("cinemaworld")
    fetch("cinemaworld")
    fetch("movielist")
    detail = f"{simulator.url}/api/filmworld/movies/fw0076759"
    requests.get(detail, headers=provider_headers, timeout=REQUEST_TIMEOUT_S)
    assert simulator.stats() == {
        "cinemaworld": {"/api/cinemaworld/movies": 2},
        "filmworld": {"/api/filmworld/movies/fw0076759": 1},
        "movielist": {"/api/v1/maya/movies/": 1},
    }


def test_refused_and_failed_requests_count_too(simulator: RunningSimulator, fetch: Fetch) -> None:
    simulator.reset_stats()
    requests.get(f"{simulator.url}/api/filmworld/movies", timeout=REQUEST_TIMEOUT_S)  # 401
    simulator.set_faults("filmworld", error_rate=1.0)
    assert fetch("filmworld").status_code in {500, 502, 503}
    assert simulator.stats()["filmworld"] == {"/api/filmworld/movies": 2}


def test_the_stats_start_again_from_zero_after_a_reset(
    simulator: RunningSimulator, fetch: Fetch
) -> None:
    fetch("filmworld")
    response = requests.delete(f"{simulator.url}/_stats/", timeout=REQUEST_TIMEOUT_S)
    assert response.status_code == 204
    assert simulator.stats() == {"cinemaworld": {}, "filmworld": {}, "movielist": {}}


def test_resetting_the_faults_keeps_the_counts(simulator: RunningSimulator, fetch: Fetch) -> None:
    simulator.reset_stats()
    fetch("cinemaworld")
    simulator.reset_faults()
    assert simulator.stats()["cinemaworld"] == {"/api/cinemaworld/movies": 1}
