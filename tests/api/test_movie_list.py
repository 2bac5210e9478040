"""GET /movies/: the movie list through this service, over real HTTP to the simulator."""

import logging
import time

import pytest
import requests

from src import create_app
from src.clients import movie_list
from tests.conftest import PASSWORD, SIMULATOR_CREDENTIALS, bearer, settings_for_tests
from tests.support.connections import pool_checkouts_during_calls
from tests.support.production import PRODUCTION_ENV
from tests.support.simulator import REQUEST_TIMEOUT_S

pytestmark = pytest.mark.usefixtures("fresh_upstreams")
SHORT_DEADLINE_S = 1.0
SLACK_S = 1.5  # scheduling on a busy machine, connection set-up, the last try


@pytest.fixture
def upstream_page(simulator):
    """A page straight from the simulator's movie list, as the service should relay it."""

    def _page(page):
        auth = (
            SIMULATOR_CREDENTIALS["MOVIE_LIST_USERNAME"],
            SIMULATOR_CREDENTIALS["MOVIE_LIST_PASSWORD"],
        )
        response = requests.get(
            f"{simulator.url}/api/v1/maya/movies/",
            params={"page": page},
            auth=auth,
            timeout=REQUEST_TIMEOUT_S,
        )
        response.raise_for_status()
        return response.json()

    return _page


@pytest.fixture
def short_deadline(app, monkeypatch):
    monkeypatch.setitem(app.config, "MOVIE_LIST_DEADLINE_S", SHORT_DEADLINE_S)
    return SHORT_DEADLINE_S


def _timed_get(client, headers, path="/movies/?page=1"):
    started = time.monotonic()
    response = client.get(path, headers=headers)
    return response, time.monotonic() - started


def test_a_page_relays_the_movie_list(client, user_headers, upstream_page):
    response = client.get("/movies/?page=2", headers=user_headers)
    assert response.status_code == 200, response.json
    upstream = upstream_page(2)
    assert response.json["count"] == upstream["count"]
    assert response.json["data"] == upstream["results"]
    assert len(response.json["data"]) == 10
    assert list(response.json) == ["count", "next", "previous", "data"]


def test_genres_stay_the_upstream_string_even_when_empty(client, user_headers, upstream_page):
    body = client.get("/movies/?page=26", headers=user_headers).json  # invented films, many scripts
    assert body["data"] == upstream_page(26)["results"]
    genres = [movie["genres"] for movie in body["data"]]
    assert "" in genres
    assert any("," in value for value in genres)
    assert any(not movie["title"].isascii() for movie in body["data"])


def test_no_database_connection_is_held_while_the_movie_list_answers(isolated_app):
    client = isolated_app.test_client()
    credentials = {"username": "pool-watcher", "password": PASSWORD}
    assert client.post("/register/", json=credentials).status_code == 201
    headers = bearer(client.post("/login/", json=credentials).json["access_token"])
    with pool_checkouts_during_calls(movie_list.POLICY) as checked_out:
        first = client.get("/movies/?page=1", headers=headers)
        second = client.get("/movies/?page=2", headers=headers)
    assert first.status_code == 200, first.json
    assert second.status_code == 200, second.json
    assert len(first.json["data"]) == len(second.json["data"]) == 10
    assert checked_out == [0, 0]


def test_links_point_at_this_service(client, user_headers):
    body = client.get("/movies/?page=2", headers=user_headers).json
    assert body["next"] == "http://localhost/movies/?page=3"
    assert body["previous"] == "http://localhost/movies/?page=1"


def test_links_follow_the_proxy_headers(app, client, user_headers, monkeypatch):
    monkeypatch.setitem(app.config, "ALLOWED_HOSTS", ["movies.example"])
    headers = {**user_headers, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "movies.example"}
    body = client.get("/movies/?page=2", headers=headers).json
    assert body["next"] == "https://movies.example/movies/?page=3"
    assert body["previous"] == "https://movies.example/movies/?page=1"


def test_first_page_is_the_default_and_has_no_previous(client, user_headers, upstream_page):
    body = client.get("/movies/", headers=user_headers).json
    assert body["previous"] is None
    assert body["next"] == "http://localhost/movies/?page=2"
    assert body["data"] == upstream_page(1)["results"]


def test_last_page_has_no_next_and_past_it_is_404(client, user_headers):
    count = client.get("/movies/", headers=user_headers).json["count"]
    last = -(-count // 10)
    body = client.get(f"/movies/?page={last}", headers=user_headers).json
    assert body["next"] is None
    assert body["previous"] == f"http://localhost/movies/?page={last - 1}"
    past = client.get(f"/movies/?page={last + 1}", headers=user_headers)
    assert past.status_code == 404
    assert past.mimetype == "application/problem+json"
    assert past.json["detail"] == f"Page {last + 1} is past the end of the movie list."


@pytest.mark.parametrize("page", ["0", "-1", "x", "1.5", ""])
def test_a_bad_page_is_422(client, user_headers, page):
    response = client.get(f"/movies/?page={page}", headers=user_headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "page" in response.json["errors"]


def test_a_token_is_required(client):
    response = client.get("/movies/")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_retries_win_over_a_half_failing_movie_list(client, user_headers, simulator):
    simulator.set_faults("movielist", error_rate=0.5)
    statuses = [
        client.get(f"/movies/?page={page}", headers=user_headers).status_code
        for page in range(1, 11)
    ]
    assert statuses == [200] * 10


def test_a_failing_movie_list_is_503_with_retry_after_by_the_deadline(
    client, user_headers, simulator, short_deadline
):
    # Without the deadline, 8 tries of 300 ms and their back-off would take over 4 s.
    simulator.set_faults("movielist", error_rate=1.0, latency_ms=300)
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code in (503, 504)
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed < short_deadline + SLACK_S


def test_a_failing_movie_list_says_it_failed_after_retries(
    client, user_headers, simulator, short_deadline
):
    simulator.set_faults("movielist", error_rate=1.0)
    response = client.get("/movies/", headers=user_headers)
    assert response.status_code == 503
    assert response.json["detail"].endswith("after retries.")
    assert int(response.headers["Retry-After"]) > 0


def test_a_hanging_movie_list_ends_by_the_deadline(client, user_headers, simulator, short_deadline):
    simulator.set_faults("movielist", hang=True)
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 504
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The movie list did not answer in time."
    assert int(response.headers["Retry-After"]) > 0
    assert elapsed < short_deadline + SLACK_S  # the simulator would hold it for 60 s


def test_a_slow_movie_list_within_the_deadline_still_answers(
    client, user_headers, simulator, short_deadline
):
    simulator.set_faults("movielist", latency_ms=300)
    assert client.get("/movies/?page=3", headers=user_headers).status_code == 200


def test_the_breaker_opens_and_then_answers_at_once(
    app, client, user_headers, simulator, monkeypatch
):
    monkeypatch.setitem(app.config, "MOVIE_LIST_DEADLINE_S", 0.3)
    simulator.set_faults("movielist", error_rate=1.0)
    statuses = [_timed_get(client, user_headers)[0].status_code for _ in range(5)]
    assert statuses == [503] * 5
    # Open now: a call would hang for the whole deadline; the breaker answers first.
    monkeypatch.setitem(app.config, "MOVIE_LIST_DEADLINE_S", 3.0)
    simulator.set_faults("movielist", hang=True)
    response, elapsed = _timed_get(client, user_headers)
    assert response.status_code == 503
    assert response.json["detail"].startswith("The movie list keeps failing")
    assert int(response.headers["Retry-After"]) == 15
    assert elapsed < 1.5


def test_wrong_credentials_are_502_and_never_shown(
    app, client, user_headers, monkeypatch, caplog, capsys
):
    monkeypatch.setitem(app.config, "MOVIE_LIST_PASSWORD", "a-wrong-secret-password")
    with caplog.at_level(logging.DEBUG):
        response = client.get("/movies/", headers=user_headers)
    assert response.status_code == 502
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"] == "The movie list refused this service's credentials."
    assert "a-wrong-secret-password" not in response.get_data(as_text=True)
    assert "a-wrong-secret-password" not in caplog.text + capsys.readouterr().err


def test_no_password_in_logs_when_the_movie_list_fails(
    client, user_headers, simulator, short_deadline, caplog, capsys
):
    simulator.set_faults("movielist", error_rate=1.0)
    with caplog.at_level(logging.DEBUG):
        client.get("/movies/", headers=user_headers)
    logged = caplog.text + capsys.readouterr().err
    assert "movie list failed" in logged
    assert SIMULATOR_CREDENTIALS["MOVIE_LIST_PASSWORD"] not in logged


@pytest.fixture
def unconfigured_app(app, rollback_db, tmp_path):
    """A production app started without the movie list's credentials (same database)."""
    overrides = {
        "APP_ENV": "production",
        **{key: PRODUCTION_ENV[key] for key in ("SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN")},
        "MOVIE_LIST_USERNAME": None,
        "MOVIE_LIST_PASSWORD": None,
        "ALLOWED_HOSTS": ["localhost"],
    }
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    production = create_app(settings_for_tests(url, str(tmp_path), None) | overrides)
    yield production
    with production.app_context():
        from src.extensions import db

        db.engine.dispose()


def test_missing_credentials_start_the_app_and_answer_503_saying_why(unconfigured_app):
    client = unconfigured_app.test_client()
    tokens = client.post("/register/", json={"username": "carol", "password": PASSWORD}).json
    response = client.get("/movies/", headers=bearer(tokens["access_token"]))
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "not configured" in response.json["detail"]
    assert "MOVIE_LIST_PASSWORD" in response.json["detail"]
