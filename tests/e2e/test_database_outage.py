"""Postgres stopped and started again under load: quick 503s while it is down, recovery by
itself within 5 s, and every request either counted or logged as not counted."""

import os
import threading
import time

import pytest
import requests

from tests.e2e.conftest import OPS_PASSWORD, OPS_USERNAME
from tests.support.private_postgres import postgres_bin
from tests.support.processes import instance_env, running_gunicorn
from tests.support.worker import wait_for

TIMEOUT_S = 10.0
CLIENTS = 4

pytestmark = [
    pytest.mark.skipif(
        postgres_bin() is None and not os.environ.get("CI"),
        reason="needs the PostgreSQL server binaries (CI machines have them)",
    ),
    # On the xdist worker that runs the other file on this private server: one initdb.
    pytest.mark.xdist_group("restartable_postgres"),
]


class Traffic:
    """Client threads sending GET /catalog/movies/ until stopped; every answer recorded."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers = url, headers
        self.answers: list[tuple[float, int, float, str]] = []  # (sent at, status, seconds, type)
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run) for _ in range(CLIENTS)]

    def _run(self) -> None:
        with requests.Session() as session:
            while not self.stopped.is_set():
                sent = time.monotonic()
                response = session.get(
                    f"{self.url}/catalog/movies/", headers=self.headers, timeout=TIMEOUT_S
                )
                answer = (
                    sent,
                    response.status_code,
                    time.monotonic() - sent,
                    response.headers.get("Content-Type", ""),
                )
                with self.lock:
                    self.answers.append(answer)

    def first_ok_sent_after(self, moment: float) -> float | None:
        """When the first request sent after moment that was answered 200 was sent."""
        with self.lock:
            sent = [at for at, status, _, _ in self.answers if status == 200 and at > moment]
        return min(sent, default=None)

    def __enter__(self) -> "Traffic":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=TIMEOUT_S * 2)


def _admin_headers(url: str) -> dict[str, str]:
    response = requests.post(
        f"{url}/login/",
        json={"username": OPS_USERNAME, "password": OPS_PASSWORD},
        timeout=TIMEOUT_S,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_postgres_restart_under_load(restartable_postgres, tmp_path):
    postgres = restartable_postgres
    env = instance_env(tmp_path, postgres.url)
    with running_gunicorn(env, workers=2, threads=4) as server:
        headers = _admin_headers(server.url)
        reset = requests.post(
            f"{server.url}/request-count/reset/", headers=headers, timeout=TIMEOUT_S
        )
        assert reset.status_code == 200
        with Traffic(server.url, headers) as traffic:
            time.sleep(1.5)
            postgres.stop()
            down_at = time.monotonic()
            time.sleep(3.0)
            starting_at = time.monotonic()
            postgres.start()
            back_at = time.monotonic()
            # Recovered, and answering for a while after it: what the assertions look at.
            recovered_at = wait_for(
                lambda: traffic.first_ok_sent_after(back_at), limit_s=15.0, what="a 200"
            )
            time.sleep(max(0.0, recovered_at + 2.0 - time.monotonic()))
        count = requests.get(
            f"{server.url}/request-count/", headers=headers, timeout=TIMEOUT_S
        ).json()["requests"]
        log = server.log_text()
    not_counted = log.count("request not counted")
    answers = traffic.answers
    statuses = {status for _, status, _, _ in answers}
    assert statuses <= {200, 503}, log[log.find("Traceback") :][:3000]
    outage = [a for a in answers if down_at + 0.5 < a[0] < starting_at]
    assert outage and all(status == 503 for _, status, _, _ in outage)
    assert all(
        "application/problem+json" in kind for _, status, _, kind in answers if status == 503
    )
    assert max(seconds for _, _, seconds, _ in answers) < 5.0  # quick answers, no hangs
    recovered = min(sent for sent, status, _, _ in answers if status == 200 and sent > back_at)
    assert recovered - back_at < 5.0
    assert all(status == 200 for sent, status, _, _ in answers if sent > recovered + 1.0)
    # The reset is the first request counted after it; every other answer was either
    # counted or logged as not counted: none was lost silently.
    assert count == 1 + len(answers) - not_counted
