"""With Redis storage the login limit holds for the whole service: across gunicorn's workers
and across instances (hosts) sharing one Redis."""

import os
import time
from itertools import cycle

import pytest
import requests

from tests.support.processes import instance_env, migrate, running_gunicorn
from tests.support.redis import redis_available, running_redis

pytestmark = pytest.mark.skipif(
    not redis_available() and not os.environ.get("CI"),
    reason="redis-server is not installed (scripts/test-tools.sh installs it; CI never skips)",
)

TIMEOUT_S = 10
LOGIN_LIMIT = 10
WINDOW_MARGIN_S = 30  # the attempts take a few seconds, far less under load than this
ATTEMPTS = 30


@pytest.fixture
def limited_env(tmp_path):
    instance = tmp_path / "instance"
    env = {
        **instance_env(instance),
        "REQUEST_COUNTER_ENABLED": "false",
        "RATELIMIT_ENABLED": "true",
        "RATELIMIT_AUTH": f"{LOGIN_LIMIT} per minute",
    }
    migrate(env)
    with running_redis(tmp_path) as store:
        yield {**env, "RATELIMIT_STORAGE_URI": store.url}


def _wrong_logins(urls):
    """ATTEMPTS wrong logins, each on a new connection, taking the servers in turn, all in one
    clock-aligned minute (the limit's window): started late in a minute, they would straddle
    two windows and the second would rightly let ten more through."""
    seconds_into_minute = time.time() % 60
    if seconds_into_minute > 60 - WINDOW_MARGIN_S:
        time.sleep(60 - seconds_into_minute + 0.5)
    statuses = []
    for _, url in zip(range(ATTEMPTS), cycle(urls), strict=False):
        response = requests.post(
            f"{url}/login/",
            json={"username": "nobody", "password": "wrong-password"},
            timeout=TIMEOUT_S,
        )
        statuses.append(response.status_code)
    return statuses


def test_the_login_limit_holds_across_the_workers_of_one_instance(limited_env):
    with running_gunicorn(limited_env, workers=2, threads=4) as server:
        statuses = _wrong_logins([server.url])
    assert statuses == [401] * LOGIN_LIMIT + [429] * (ATTEMPTS - LOGIN_LIMIT)


def test_the_login_limit_holds_across_two_instances_on_one_redis(limited_env):
    with (
        running_gunicorn(limited_env, workers=2, threads=4) as host_a,
        running_gunicorn(limited_env, workers=2, threads=4) as host_b,
    ):
        statuses = _wrong_logins([host_a.url, host_b.url])
    assert statuses == [401] * LOGIN_LIMIT + [429] * (ATTEMPTS - LOGIN_LIMIT)
