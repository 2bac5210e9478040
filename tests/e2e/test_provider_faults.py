"""Both providers failing or hanging: every customer request on real gunicorn is still
answered at once from what the worker's refresh stored, and no request calls a provider."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import PASSWORD, simulator_settings
from tests.support.processes import instance_env, migrate, run_flask, running_gunicorn

# A request that called the hanging provider would wait at least one call's timeout.
FETCH_TIMEOUT_S = 2.0
REQUESTS = 40
CLIENTS = 4
PATHS = ["/", "/prices/movies/", "/films/0076759", "/prices/movies/0076759/"]


@pytest.fixture(scope="module")
def site_env(simulator, tmp_path_factory):
    instance = tmp_path_factory.mktemp("provider-faults")
    env = {
        **{name: str(value) for name, value in simulator_settings(simulator.url).items()},
        **instance_env(instance),
        "PRICE_FETCH_TIMEOUT_S": str(FETCH_TIMEOUT_S),
        "PRICE_DEADLINE_S": "3",
    }
    migrate(env)
    assert "this refresh: ok" in run_flask("refresh-prices", env=env)  # what the worker does
    return env


@pytest.fixture(scope="module")
def site(site_env):
    with running_gunicorn(site_env, workers=2, threads=4) as server:
        yield server


@pytest.fixture
def failing_providers(simulator):
    simulator.set_faults("cinemaworld", hang=True)
    simulator.set_faults("filmworld", error_rate=1.0)
    simulator.reset_stats()
    yield
    simulator.reset_faults()


def shopper_headers(site):
    registered = requests.post(
        f"{site.url}/register/", timeout=10, json={"username": "shopper", "password": PASSWORD}
    )
    if registered.status_code == 409:
        registered = requests.post(
            f"{site.url}/login/", timeout=10, json={"username": "shopper", "password": PASSWORD}
        )
    return {"Authorization": f"Bearer {registered.json()['access_token']}"}


def timed_requests(site, headers, count=REQUESTS):
    def timed(path):
        started = time.monotonic()
        response = requests.get(f"{site.url}{path}", headers=headers, timeout=30)
        return path, response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(timed, PATHS * (count // len(PATHS))))


def test_every_customer_request_is_answered_at_once_and_none_calls_a_provider(
    site, simulator, failing_providers
):
    answers = timed_requests(site, shopper_headers(site))
    assert {status for _, status, _ in answers} == {200}, answers
    assert max(seconds for _, _, seconds in answers) < FETCH_TIMEOUT_S, answers
    assert simulator.stats() == {"cinemaworld": {}, "filmworld": {}, "movielist": {}}


def test_requests_while_a_refresh_waits_on_the_providers_are_answered_at_once(
    site, site_env, failing_providers
):
    headers = shopper_headers(site)

    def refresh():
        with pytest.raises(RuntimeError, match="this refresh: failed"):  # exit 1: none answered
            run_flask("refresh-prices", env=site_env)

    with ThreadPoolExecutor(max_workers=1) as background:
        refreshing = background.submit(refresh)
        answers = []
        while not refreshing.done():
            answers += timed_requests(site, headers, count=len(PATHS))
        refreshing.result()
    assert answers
    assert {status for _, status, _ in answers} == {200}, answers  # the stored offers
    assert max(seconds for _, _, seconds in answers) < FETCH_TIMEOUT_S, answers
