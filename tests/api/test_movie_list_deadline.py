"""GET /movies/ when the movie list refuses, hangs or is slow: 503 or 504, always by the
deadline (MOVIE_LIST_DEADLINE_S) plus DEADLINE_MARGIN_S. Real HTTP to the simulator."""

import time

import pytest

from src.clients import movie_list
from tests.support.ports import refused_url

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
    response, _ = _timed_get(client, user_headers)
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The movie list cannot be reached."
    assert response.headers["Retry-After"] == str(movie_list.RETRY_AFTER_S)
