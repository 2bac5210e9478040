"""The movie list and collections on real processes: gunicorn (2 workers, threads) in
front of a migrated SQLite database, calling the simulator over loopback."""

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import PASSWORD, SIMULATOR_CREDENTIALS, simulator_settings
from tests.support.processes import instance_env, migrate, running_gunicorn

pytestmark = pytest.mark.e2e
DEADLINE_S = 1.0
TIMEOUT_S = 10.0


def _service_env(simulator_url, instance_dir):
    return {
        **simulator_settings(simulator_url),
        "APP_ENV": "development",
        **instance_env(instance_dir),
        "MOVIE_LIST_DEADLINE_S": str(DEADLINE_S),
        "ALLOWED_HOSTS": "127.0.0.1,films.example",
    }


@pytest.fixture(scope="module")
def service(simulator):
    with tempfile.TemporaryDirectory() as instance_dir:
        env = _service_env(simulator.url, instance_dir)
        migrate(env)
        with running_gunicorn(env, workers=2, threads=4) as server:
            yield server


@pytest.fixture
def headers(service):
    username = f"e2e-{time.monotonic_ns()}"
    response = requests.post(
        f"{service.url}/register/",
        json={"username": username, "password": PASSWORD},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(autouse=True)
def behaving_simulator(simulator):
    yield
    simulator.reset_faults()


def test_the_story_behind_a_proxy(service, headers):
    proxied = {**headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "films.example"}
    first = requests.get(f"{service.url}/movies/?page=25", headers=proxied, timeout=TIMEOUT_S)
    assert first.status_code == 200, first.text
    assert first.json()["next"] == "https://films.example/movies/?page=26"
    movies = first.json()["data"]
    body = {"title": "Seen on page 25", "description": "", "movies": movies}
    created = requests.post(
        f"{service.url}/collection/", json=body, headers=headers, timeout=TIMEOUT_S
    )
    assert created.status_code == 201, created.text
    listing = requests.get(f"{service.url}/collection/", headers=headers, timeout=TIMEOUT_S).json()
    assert listing["is_success"] is True
    assert listing["data"]["collections"][0]["uuid"] == created.json()["collection_uuid"]
    assert listing["data"]["favourite_genres"] != ""


def test_concurrent_requests_to_a_hanging_list_all_end_by_the_deadline(service, headers, simulator):
    simulator.set_faults("movielist", hang=True)

    def timed_get(_):
        started = time.monotonic()
        response = requests.get(f"{service.url}/movies/", headers=headers, timeout=TIMEOUT_S)
        return response.status_code, time.monotonic() - started

    # 8 requests fill both workers' 4 threads; one after the other they would take >= 4 s.
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(timed_get, range(8)))
    assert {status for status, _ in results} <= {503, 504}
    assert max(elapsed for _, elapsed in results) < DEADLINE_S + 2.0, results


def test_failures_are_logged_without_the_password(service, headers, simulator):
    simulator.set_faults("movielist", error_rate=1.0)
    response = requests.get(f"{service.url}/movies/", headers=headers, timeout=TIMEOUT_S)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    password = SIMULATOR_CREDENTIALS["MOVIE_LIST_PASSWORD"]
    assert password not in response.text
    assert "The movie list" in service.log_text()
    assert password not in service.log_text()
