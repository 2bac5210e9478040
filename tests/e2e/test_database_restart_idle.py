"""Postgres restarted while the service is idle: its connections all died with it. Each of
the direct connections (the token check's and the counter's, src/direct_connections.py) is
found ended before its next statement is sent and replaced; the pool's pre-ping finds the
session's dead at checkout and reconnects. So even the first request after is answered 200
(without them, that request was a 503), and no request goes uncounted."""

import os

import pytest
import requests

from tests.e2e.conftest import OPS_PASSWORD, OPS_USERNAME
from tests.e2e.counter_support import stored_count
from tests.support.private_postgres import postgres_bin
from tests.support.processes import instance_env, running_gunicorn

TIMEOUT_S = 10.0

pytestmark = [
    pytest.mark.skipif(
        postgres_bin() is None and not os.environ.get("CI"),
        reason="needs the PostgreSQL server binaries (CI machines have them)",
    ),
    # On the xdist worker that runs the other file on this private server: one initdb.
    pytest.mark.xdist_group("restartable_postgres"),
]


def _statuses(url: str, headers: dict[str, str], count: int) -> list[int]:
    with requests.Session() as session:
        return [
            session.get(f"{url}/catalog/movies/", headers=headers, timeout=TIMEOUT_S).status_code
            for _ in range(count)
        ]


def test_the_first_request_after_an_idle_restart_is_answered(restartable_postgres, tmp_path):
    postgres = restartable_postgres
    env = instance_env(tmp_path, postgres.url)
    with running_gunicorn(env, workers=1, threads=4) as server:
        body = {"username": OPS_USERNAME, "password": OPS_PASSWORD}
        login = requests.post(f"{server.url}/login/", json=body, timeout=TIMEOUT_S)
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        assert _statuses(server.url, headers, 8) == [200] * 8  # every thread's connection
        counted_before = stored_count(postgres.url)
        postgres.stop()
        postgres.start()
        after = _statuses(server.url, headers, 8)
        log = server.log_text()
        counted = stored_count(postgres.url)
    assert after == [200] * 8, log[log.find("Traceback") :][:3000]
    assert "request not counted" not in log
    assert counted - counted_before == 8
