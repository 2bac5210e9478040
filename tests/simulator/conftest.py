"""Fixtures for the simulator's tests: one simulator process for the session."""

from collections.abc import Callable, Iterator

import pytest
import requests

from tests.support.simulator import (
    REQUEST_TIMEOUT_S,
    RunningSimulator,
    running_simulator,
)

PROVIDER_TOKEN = "test-provider-token"
MOVIE_LIST_CREDENTIALS = ("test-user", "test-password")
LIST_PATHS = {
    "cinemaworld": "/api/cinemaworld/movies",
    "filmworld": "/api/filmworld/movies",
    "movielist": "/api/v1/maya/movies/",
}


@pytest.fixture(scope="session")
def simulator_env() -> dict[str, str | None]:
    """Settings of the session's simulator; None unsets what the caller's shell may have set."""
    username, password = MOVIE_LIST_CREDENTIALS
    return {
        "PROVIDER_API_TOKEN": PROVIDER_TOKEN,
        "MOVIE_LIST_USERNAME": username,
        "MOVIE_LIST_PASSWORD": password,
        "SIM_SEED": "20240601",
        "SIM_FAULTS": None,
        "SIM_MOVIELIST_SIZE": None,
    }


@pytest.fixture(scope="session")
def simulator(simulator_env: dict[str, str | None]) -> Iterator[RunningSimulator]:
    """A simulator process shared by the session's tests."""
    with running_simulator(env=simulator_env) as running:
        yield running


@pytest.fixture(autouse=True)
def no_faults_after(simulator: RunningSimulator) -> Iterator[None]:
    """Every test leaves the simulator behaving, held requests released."""
    yield
    simulator.reset_faults()


@pytest.fixture(scope="session")
def provider_headers() -> dict[str, str]:
    """Headers the providers accept."""
    return {"x-access-token": PROVIDER_TOKEN}


@pytest.fixture(scope="session")
def movie_list_auth() -> tuple[str, str]:
    """Basic-auth credentials the movie list accepts."""
    return MOVIE_LIST_CREDENTIALS


@pytest.fixture
def fetch(
    simulator: RunningSimulator,
    provider_headers: dict[str, str],
    movie_list_auth: tuple[str, str],
) -> Callable[..., requests.Response]:
    """An authorised GET of a fault target's list endpoint on the session's simulator."""

    def fetch_target(target: str, *, timeout: float = REQUEST_TIMEOUT_S) -> requests.Response:
        return requests.get(
            f"{simulator.url}{LIST_PATHS[target]}",
            headers=provider_headers,
            auth=movie_list_auth,
            timeout=timeout,
        )

    return fetch_target
