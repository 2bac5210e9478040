import pytest

from config import ConfigError
from src import create_app
from src.clients.movie_list import RETRY_AFTER_S
from tests.conftest import PASSWORD, bearer, settings_for_tests

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_AUTH": "3 per minute",
    "RATELIMIT_DEFAULT": "5 per minute",
    "RATELIMIT_ADDRESS": "30 per minute",
}


@pytest.fixture
def limited_app(tmp_path, fresh_upstreams):
    """Build an app with the rate limits on (memory storage, its own counts) and overrides."""
    import flask_migrate

    def build(**overrides):
        settings = settings_for_tests(
            f"sqlite:///{tmp_path}/limits.db", str(tmp_path), fresh_upstreams.url
        )
        app = create_app({**settings, **LIMITS, **overrides})
        with app.app_context():
            flask_migrate.upgrade()
        return app

    return build


@pytest.fixture
def limited_client(limited_app):
    return limited_app().test_client()


def _login(client, address):
    return client.post(
        "/login/",
        json={"username": "nobody", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


def test_login_is_limited_per_client_address_with_problem_and_retry_after(limited_client):
    statuses = [_login(limited_client, "192.0.2.1").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = _login(limited_client, "192.0.2.1")
    assert limited.content_type == "application/problem+json"
    assert limited.json["status"] == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "3"
    assert _login(limited_client, "192.0.2.2").status_code == 401


def test_password_guesses_with_a_token_are_limited_like_logins(limited_client):
    tokens = limited_client.post("/register/", json={"username": "guessed", "password": PASSWORD})
    headers = bearer(tokens.json["access_token"])
    guess = {"current_password": "not-the-password", "new_password": "another-password"}
    statuses = [
        limited_client.post("/password/", json=guess, headers=headers).status_code for _ in range(4)
    ]
    assert statuses == [403, 403, 403, 429]


def test_the_api_is_limited_per_user_not_per_address(limited_client):
    first = limited_client.post("/register/", json={"username": "first", "password": PASSWORD})
    second = limited_client.post("/register/", json={"username": "second", "password": PASSWORD})
    one, two = bearer(first.json["access_token"]), bearer(second.json["access_token"])
    statuses = [limited_client.get("/me/", headers=one).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert limited_client.get("/me/", headers=two).status_code == 200


def test_health_checks_are_never_limited(limited_client):
    assert {limited_client.get("/healthz").status_code for _ in range(8)} == {200}


# Answered before any view runs, or by views that need no token: all count per address.
ANONYMOUS_REQUESTS = [
    ("GET", "/me/"),  # 401 from the token gate
    ("GET", "/no-such-path/"),  # 404, no endpoint
    ("DELETE", "/login/"),  # 405, no endpoint
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/static/prices.css"),
]


def _anonymous(client, method, path, address="198.51.100.7"):
    return client.open(path, method=method, environ_base={"REMOTE_ADDR": address}, buffered=True)


def test_every_anonymous_request_counts_against_the_address_limit(limited_app):
    client = limited_app(RATELIMIT_ADDRESS=f"{len(ANONYMOUS_REQUESTS)} per minute").test_client()
    answers = [_anonymous(client, method, path) for method, path in ANONYMOUS_REQUESTS]
    assert [answer.status_code for answer in answers] == [401, 404, 405, 200, 200, 200]
    for method, path in ANONYMOUS_REQUESTS:
        limited = _anonymous(client, method, path)
        assert (path, limited.status_code) == (path, 429)


def test_the_address_limit_is_429_problem_with_retry_after(limited_app):
    client = limited_app(RATELIMIT_ADDRESS="2 per minute").test_client()
    for _ in range(2):
        _anonymous(client, "GET", "/no-such-path/")
    limited = _anonymous(client, "GET", "/me/")
    assert limited.status_code == 429
    assert limited.content_type == "application/problem+json"
    assert limited.json["status"] == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["X-RateLimit-Limit"] == "2"


def test_the_address_limit_counts_each_address_apart(limited_app):
    client = limited_app(RATELIMIT_ADDRESS="2 per minute").test_client()
    for _ in range(3):
        _anonymous(client, "GET", "/no-such-path/", address="198.51.100.7")
    assert _anonymous(client, "GET", "/no-such-path/", address="198.51.100.8").status_code == 404


def test_every_answer_announces_the_limit_nearest_to_running_out(limited_client):
    # The address limit (30), unless the view's own per-client limit (5) is nearer.
    nearest = {"/openapi.json": "5", "/docs": "5"}
    for method, path in ANONYMOUS_REQUESTS:
        answer = _anonymous(limited_client, method, path)
        announced = (answer.headers.get("X-RateLimit-Limit"), answer.headers.get("Retry-After"))
        assert (path, announced) == (path, (nearest.get(path, "30"), None))


def test_probes_and_the_scraper_are_exempt_from_the_address_limit(limited_app):
    client = limited_app(RATELIMIT_ADDRESS="1 per minute").test_client()
    _anonymous(client, "GET", "/no-such-path/")
    assert _anonymous(client, "GET", "/no-such-path/").status_code == 429
    for path in ("/healthz", "/readyz", "/metrics"):
        answer = _anonymous(client, "GET", path)
        assert (path, answer.status_code) == (path, 200)
        assert "X-RateLimit-Limit" not in answer.headers


def test_a_bad_address_limit_refuses_to_start(limited_app):
    with pytest.raises(ConfigError, match="RATELIMIT_ADDRESS"):
        limited_app(RATELIMIT_ADDRESS="many per minute")


def test_a_success_carries_no_retry_after(limited_client):
    tokens = limited_client.post("/register/", json={"username": "calm", "password": PASSWORD})
    answer = limited_client.get("/me/", headers=bearer(tokens.json["access_token"]))
    assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Limit"] == "5"
    assert "Retry-After" not in answer.headers


def test_a_failing_movie_list_keeps_the_apps_retry_after(limited_app, fresh_upstreams):
    client = limited_app(MOVIE_LIST_DEADLINE_S=1.0).test_client()
    tokens = client.post("/register/", json={"username": "viewer", "password": PASSWORD})
    fresh_upstreams.set_faults("movielist", error_rate=1.0)
    answer = client.get("/movies/", headers=bearer(tokens.json["access_token"]))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_S)
