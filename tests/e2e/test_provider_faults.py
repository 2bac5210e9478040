"""Both providers failing half their calls, and slow: every customer request is still
answered within the price deadline, on real gunicorn."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import PASSWORD, simulator_settings
from tests.support.processes import migrate, running_gunicorn

DEADLINE_S = 2.0
SLACK_S = 0.5  # the answer is written after the deadline; loopback and a busy CPU
REQUESTS = 40
# At most one worker's threads: gunicorn may hand every connection to the same worker, and
# a request queued behind a full worker would wait for a thread, not for the providers.
CLIENTS = 4


@pytest.fixture(scope="module")
def site(simulator, tmp_path_factory):
    instance = tmp_path_factory.mktemp("provider-faults")
    env = {
        **{name: str(value) for name, value in simulator_settings(simulator.url).items()},
        "DATABASE_URL": f"sqlite:///{instance}/faults.db",
        "INSTANCE_DIR": str(instance),
        "PRICE_DEADLINE_S": str(DEADLINE_S),
        "PRICE_MAX_AGE_S": "1",  # offers go old at once: requests keep refreshing
    }
    migrate(env)
    with running_gunicorn(env, workers=2, threads=4) as server:
        yield server


@pytest.fixture
def flaky_providers(simulator):
    for provider in ("cinemaworld", "filmworld"):
        simulator.set_faults(provider, error_rate=0.5, latency_ms=200)
    yield
    simulator.reset_faults()


def test_every_customer_request_is_answered_within_the_deadline(site, flaky_providers):
    registered = requests.post(
        f"{site.url}/register/", timeout=10, json={"username": "shopper", "password": PASSWORD}
    )
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    paths = ["/", "/prices/movies/"] * (REQUESTS // 2)

    def timed(path):
        started = time.monotonic()
        response = requests.get(f"{site.url}{path}", headers=headers, timeout=30)
        return path, response.status_code, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(timed, paths))
    slowest = max(seconds for _, _, seconds in answers)
    assert slowest < DEADLINE_S + SLACK_S, answers
    assert {status for _, status, _ in answers} <= {200, 503}
    # Once anything is known it is served (fresh or stale), never an error.
    later = answers[CLIENTS:]
    assert all(status == 200 for _, status, _ in later), later
