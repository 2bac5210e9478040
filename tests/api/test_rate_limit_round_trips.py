"""Both limits of a request (its address's and its view's) are counted in one round trip to the
limiter's Redis, the address first: a request refused by its address limit does not count
against its view's. Counted on a private redis-server (its own INFO commandstats)."""

import os

import pytest
import redis

from src import create_app
from tests.conftest import PASSWORD, bearer, settings_for_tests
from tests.support.redis import redis_available, running_redis

needs_redis = pytest.mark.skipif(
    not redis_available() and not os.environ.get("CI"),
    reason="redis-server is not installed (scripts/test-tools.sh installs it; CI never skips)",
)
LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_AUTH": "100 per minute",
    "RATELIMIT_DEFAULT": "3 per minute",
    "RATELIMIT_ADDRESS": "2 per minute",
}
REGISTERING_ADDRESS = "192.0.2.10"
END_OF_REQUEST = "ECHO end-of-request"


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory):
    if not redis_available():
        pytest.skip("redis-server is not installed")
    with running_redis(tmp_path_factory.mktemp("redis")) as store:
        yield store


@pytest.fixture(params=["memory", "redis"])
def storage_uri(request):
    if request.param == "memory":
        return "memory://"
    if not redis_available() and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    store = request.getfixturevalue("private_redis")
    redis.Redis.from_url(store.url).flushdb()
    return store.url


def _app(tmp_path, storage_uri, **overrides):
    import flask_migrate

    settings = settings_for_tests(f"sqlite:///{tmp_path}/limits.db", str(tmp_path))
    app = create_app({**settings, **LIMITS, "RATELIMIT_STORAGE_URI": storage_uri, **overrides})
    with app.app_context():
        flask_migrate.upgrade()
    return app


def _registered(client, username="counted"):
    tokens = client.post(
        "/register/",
        json={"username": username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": REGISTERING_ADDRESS},
    )
    assert tokens.status_code == 201
    return bearer(tokens.json["access_token"])


def _me(client, headers, address):
    return client.get("/me/", headers=headers, environ_base={"REMOTE_ADDR": address})


def _sent_during(store_url, request):
    """The commands clients sent to Redis while request() ran (MONITOR; the commands a script
    runs are listed apart, as the script's), by name."""
    store, marker = redis.Redis.from_url(store_url), redis.Redis.from_url(store_url)
    marker.ping()  # connected before MONITOR starts, so that only its marker is seen
    with store.monitor() as monitor:
        answer = request()
        marker.execute_command(*END_OF_REQUEST.split())
        sent = []
        while (command := monitor.next_command())["command"] != END_OF_REQUEST:
            if command["client_type"] != "lua":
                sent.append(command["command"].split()[0])
    return answer, sent


@needs_redis
def test_the_address_and_the_view_limit_of_a_request_are_one_redis_command(tmp_path, private_redis):
    client = _app(tmp_path, private_redis.url, RATELIMIT_ADDRESS="100 per minute").test_client()
    headers = _registered(client)  # loads the script into this Redis
    answer, sent = _sent_during(private_redis.url, lambda: _me(client, headers, "198.51.100.1"))
    assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Limit"] == "3"  # the view's, nearer than the address's
    assert sent == ["EVALSHA"]


@needs_redis
def test_a_token_refused_by_the_gate_is_one_redis_command_too(tmp_path, private_redis):
    client = _app(tmp_path, private_redis.url).test_client()
    _registered(client)
    refused = {"Authorization": "Bearer not-a-token"}
    answer, sent = _sent_during(private_redis.url, lambda: _me(client, refused, "198.51.100.2"))
    assert (answer.status_code, answer.headers["X-RateLimit-Limit"]) == (401, "2")
    assert sent == ["EVALSHA"]


def test_a_request_over_its_address_limit_does_not_count_against_its_view(tmp_path, storage_uri):
    client = _app(tmp_path, storage_uri).test_client()
    headers = _registered(client)
    # Address limit 2, the user's limit on /me/ 3.
    assert [_me(client, headers, "198.51.100.3").status_code for _ in range(3)] == [200, 200, 429]
    # The third request was refused by its address: the user has one request of /me/ left.
    third = _me(client, headers, "198.51.100.4")
    assert (third.status_code, third.headers["X-RateLimit-Remaining"]) == (200, "0")
    assert _me(client, headers, "198.51.100.5").status_code == 429


def test_a_body_refused_over_the_address_limit_is_429(tmp_path, storage_uri):
    client = _app(tmp_path, storage_uri).test_client()
    headers = _registered(client)
    address = {"REMOTE_ADDR": "198.51.100.6"}
    for _ in range(2):
        client.get("/no-such-path/", environ_base=address)
    refused = client.post("/collection/", data="not json", headers=headers, environ_base=address)
    assert (refused.status_code, refused.content_type) == (429, "application/problem+json")
    assert 0 < int(refused.headers["Retry-After"]) <= 60


def _remaining(answer):
    return (answer.status_code, answer.headers.get("X-RateLimit-Remaining"))


def _counting_app(tmp_path, store_url):
    redis.Redis.from_url(store_url).flushdb()  # the counts of this module's other tests
    return _app(tmp_path, store_url, RATELIMIT_ADDRESS="100 per minute").test_client()


@needs_redis
def test_a_redis_that_lost_the_script_still_counts_the_next_request(tmp_path, private_redis):
    client = _counting_app(tmp_path, private_redis.url)
    headers = _registered(client)
    assert _remaining(_me(client, headers, "198.51.100.7")) == (200, "2")
    redis.Redis.from_url(private_redis.url).script_flush()  # as a restarted Redis has it
    assert _remaining(_me(client, headers, "198.51.100.7")) == (200, "1")


@needs_redis
def test_a_connection_the_redis_closed_is_made_again_before_the_next_count(tmp_path, private_redis):
    client = _counting_app(tmp_path, private_redis.url)
    headers = _registered(client)
    assert _remaining(_me(client, headers, "198.51.100.8")) == (200, "2")
    admin = redis.Redis.from_url(private_redis.url)
    admin.client_setname("admin")
    assert admin.client_kill_filter(_type="normal", skipme=True) >= 1
    assert _remaining(_me(client, headers, "198.51.100.8")) == (200, "1")
