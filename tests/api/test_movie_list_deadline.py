"""GET /movies/ when the movie list refuses, hangs or is slow: 503 or 504, always by the
deadline (MOVIE_LIST_DEADLINE_S) plus DEADLINE_MARGIN_S. Real HTTP to the simulator."""

import time

import pytest

from src.clients import movie_list
from src.clients.outbound import DEADLINE_MARGIN_S
from tests.support.ports import refused_url, unanswered_url

pytestmark = pytest.mark.usefixtures("fresh_upstreams")
# Above the movie list's 2 s read timeout, so that a second try is needed to use it all.
LONGER_THAN_ONE_TRY_S = movie_list.POLICY.read_timeout_s + 0.5


@pytest.fixture
def deadline(app, monkeypatch):
    def _set(seconds):
        monkeypatch.setitem(app.config, "MOVIE_LIST_DEADLINE_S", seconds)
        return seconds

    return _set


def _timed_get(client, headers):
    started = time.monotonic()
    response = client.get("/movies/?page=1", headers=headers)
    return response, time.monotonic() - started


def test_a_refused_connection_is_503_not_a_timeout(app, client, user_headers, monkeypatch):
    monkeypatch.setitem(app.config, "MOVIE_LIST_URL", refused_url("/api/v1/maya/movies/"))
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The movie list cannot be reached."
    assert response.headers["Retry-After"] == str(movie_list.RETRY_AFTER_S)
    assert elapsed < app.config["MOVIE_LIST_DEADLINE_S"] + DEADLINE_MARGIN_S


def test_a_connection_that_never_completes_is_a_504_timeout(
    app, client, user_headers, monkeypatch, deadline
):
    seconds = deadline(1.5)
    with unanswered_url("/api/v1/maya/movies/") as url:
        monkeypatch.setitem(app.config, "MOVIE_LIST_URL", url)
        response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 504
    assert response.json["detail"] == "The movie list did not answer in time."
    assert response.headers["Retry-After"] == str(movie_list.RETRY_AFTER_S)
    assert elapsed < seconds + DEADLINE_MARGIN_S


def test_a_hanging_movie_list_is_504_by_the_deadline_though_a_retry_started(
    client, user_headers, simulator, deadline
):
    seconds = deadline(LONGER_THAN_ONE_TRY_S)
    simulator.set_faults("movielist", hang=True)
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 504
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The movie list did not answer in time."
    assert response.headers["Retry-After"] == str(movie_list.RETRY_AFTER_S)
    assert elapsed < seconds + DEADLINE_MARGIN_S  # the simulator would hold it for 60 s


def test_a_try_that_starts_late_ends_by_the_deadline(client, user_headers, simulator, deadline):
    # 3 s latency, 2 s read timeout: tries end at 2 s and 4 s, the third must stop at 5 s.
    # No try may wait 3 s, so none can succeed: the answer is the timeout.
    seconds = deadline(5.0)
    simulator.set_faults("movielist", latency_ms=3000)
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 504
    assert response.json["detail"] == "The movie list did not answer in time."
    assert elapsed < seconds + DEADLINE_MARGIN_S
