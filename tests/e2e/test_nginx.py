"""A real NGINX (Debian's package) with the project's site in front of real gunicorn."""

import http.client
import json
import os
import secrets
import threading
import time
import uuid

import pytest
import requests

from tests.conftest import SIMULATOR_PROVIDER_TOKEN, simulator_settings
from tests.support.nginx import check_config, nginx_available, running_nginx, write_config
from tests.support.processes import instance_env, migrate, run_flask, running_gunicorn
from tests.support.simulator import running_simulator

TIMEOUT_S = 10
PASSWORD = "nginx-test-password"
METRICS_TOKEN = secrets.token_urlsafe(48)

pytestmark = pytest.mark.skipif(
    not nginx_available() and not os.environ.get("CI"),
    reason="nginx is not installed (.ci/run installs it; CI never skips this)",
)


@pytest.fixture(scope="module")
def prices_simulator():
    """The providers the app's prices come from (the customer pages need some)."""
    env = {"PROVIDER_API_TOKEN": SIMULATOR_PROVIDER_TOKEN, "SIM_FAULTS": None}
    with running_simulator(env={**env, "SIM_PROVIDER_DATA_DIR": None}) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def server_env(tmp_path_factory, prices_simulator):
    instance = tmp_path_factory.mktemp("nginx-app")
    upstreams = {
        name: str(value) for name, value in simulator_settings(prices_simulator.url).items()
    }
    env = {
        **upstreams,
        **instance_env(instance),
        "ACCESS_LOG": "true",
        "REQUEST_COUNTER_ENABLED": "false",
        "METRICS_TOKEN": METRICS_TOKEN,
        "ALLOWED_HOSTS": "127.0.0.1,movies.example.org",
    }
    migrate(env)
    run_flask("seed", env=env)
    run_flask("refresh-prices", env=env)
    return env


@pytest.fixture(scope="module")
def stack(server_env, tmp_path_factory):
    with running_gunicorn(server_env, workers=1, threads=4) as gunicorn:
        with running_nginx(tmp_path_factory.mktemp("nginx"), upstream_port=gunicorn.port) as nginx:
            yield gunicorn, nginx


@pytest.fixture(scope="module")
def token(stack):
    _, nginx = stack
    response = requests.post(
        f"{nginx.url}/register/",
        timeout=TIMEOUT_S,
        json={"username": "behind_nginx", "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    return response.json()["access_token"]


def test_the_site_configuration_passes_nginx_t(tmp_path):
    result = check_config(write_config(tmp_path, listen_port=18999, upstream_port=18998))
    assert result.returncode == 0, result.stderr


def test_requests_are_proxied_with_security_headers_and_a_request_id(stack):
    _, nginx = stack
    response = requests.get(f"{nginx.url}/healthz", timeout=TIMEOUT_S)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(response.headers["X-Request-ID"]) == 32


def test_the_client_request_id_reaches_the_app_and_comes_back(stack):
    gunicorn, nginx = stack
    response = requests.get(
        f"{nginx.url}/readyz", timeout=TIMEOUT_S, headers={"X-Request-ID": "trace-nginx-1"}
    )
    assert response.headers["X-Request-ID"] == "trace-nginx-1"
    assert '"request_id": "trace-nginx-1"' in gunicorn.log_text()


def test_the_app_sees_the_client_address_not_a_spoofed_one(stack):
    gunicorn, nginx = stack
    requests.get(
        f"{nginx.url}/healthz",
        timeout=TIMEOUT_S,
        headers={"X-Forwarded-For": "203.0.113.66", "X-Request-ID": "addr-check"},
    )
    lines = [
        json.loads(line)
        for line in gunicorn.log_text().splitlines()
        if line.startswith("{") and '"addr-check"' in line
    ]
    app_lines = [line for line in lines if line.get("logger") == "src.access"]
    assert app_lines and app_lines[0]["remote_addr"] == "127.0.0.1"


def test_next_links_use_the_scheme_and_host_the_client_used(stack, token):
    _, nginx = stack
    response = requests.get(
        f"{nginx.url}/catalog/movies/?page_size=2",
        timeout=TIMEOUT_S,
        headers={"Authorization": f"Bearer {token}", "Host": f"movies.example.org:{nginx.port}"},
    )
    assert response.status_code == 200
    assert response.json()["next"].startswith(
        f"http://movies.example.org:{nginx.port}/catalog/movies/?"
    )


def test_links_carry_the_port_nginx_listens_on_not_the_hosts_port_text(stack, token):
    _, nginx = stack
    response = requests.get(
        f"{nginx.url}/catalog/movies/?page_size=2",
        timeout=TIMEOUT_S,
        headers={"Authorization": f"Bearer {token}", "Host": "MOVIES.example.org:1"},
    )
    assert response.status_code == 200
    assert response.json()["next"].startswith(
        f"http://movies.example.org:{nginx.port}/catalog/movies/?"
    )


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.2", "localhost"])
def test_nginx_closes_requests_for_unknown_hosts_without_an_answer(stack, host):
    _, nginx = stack
    connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=TIMEOUT_S)
    connection.putrequest("GET", "/catalog/movies/", skip_host=True)
    connection.putheader("Host", host)
    connection.endheaders()
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    connection.close()


def test_gunicorn_reached_directly_refuses_an_unknown_host_with_400_problem(stack):
    gunicorn, _ = stack
    response = requests.get(
        f"{gunicorn.url}/no-such-page/", timeout=TIMEOUT_S, headers={"Host": "evil.example"}
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "evil.example" not in response.text


def test_a_body_over_one_mebibyte_is_413_problem_from_nginx(stack):
    _, nginx = stack
    response = requests.post(
        f"{nginx.url}/register/",
        timeout=TIMEOUT_S,
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 413


def test_a_chunked_body_over_one_mebibyte_is_413_problem_from_nginx(stack):
    _, nginx = stack
    chunks = (b"{" if n == 0 else b" " * 65536 for n in range(33))  # 2 MiB, no Content-Length
    response = requests.post(
        f"{nginx.url}/register/",
        timeout=TIMEOUT_S,
        data=chunks,
        headers={"Content-Type": "application/json"},
    )
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"


def test_json_answers_are_gzipped(stack):
    _, nginx = stack
    response = requests.get(
        f"{nginx.url}/openapi.json", timeout=TIMEOUT_S, headers={"Accept-Encoding": "gzip"}
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert "paths" in response.json()


def test_login_floods_are_limited_per_address_with_problem_json(stack):
    _, nginx = stack
    statuses = []
    for _ in range(30):
        response = requests.post(
            f"{nginx.url}/login/",
            timeout=TIMEOUT_S,
            json={"username": "nobody", "password": PASSWORD},
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["Content-Type"] == "application/problem+json"
            assert response.headers["Retry-After"] == "1"
            break
    assert statuses[-1] == 429


def _flood(port, source, path, attempts):
    """GETs on one keep-alive connection from the loopback address source; the statuses."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT_S, source_address=(source, 0)
    )
    answers = []
    try:
        for _ in range(attempts):
            connection.request("GET", path)
            response = connection.getresponse()
            answers.append((response.status, dict(response.getheaders()), response.read()))
    finally:
        connection.close()
    return answers


def test_every_path_is_limited_per_address_by_nginx_with_problem_json(stack):
    gunicorn, nginx = stack  # the app's own limits are off in this stack: a 429 is NGINX's
    # Sequential requests outrun 20 r/s; the burst of 50 goes first.
    answers = _flood(nginx.port, "127.0.0.3", "/no-such-path/", attempts=200)
    statuses = [status for status, _, _ in answers]
    assert 404 in statuses and 429 in statuses
    status, headers, body = answers[statuses.index(429)]
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Retry-After"] == "1"
    assert json.loads(body)["status"] == 429
    # Another address is not held back by that one.
    assert _flood(nginx.port, "127.0.0.4", "/healthz", attempts=1)[0][0] == 200


def test_metrics_answer_the_local_scraper_with_the_metrics_token_only(stack):
    _, nginx = stack
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    response = requests.get(f"{nginx.url}/metrics", timeout=TIMEOUT_S, headers=scraper)
    assert response.status_code == 200
    assert "http_requests_total" in response.text
    # The app checks the token itself: NGINX's allow-list is not the only guard.
    refused = requests.get(f"{nginx.url}/metrics", timeout=TIMEOUT_S)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"
    # Another address of this machine's loopback range stands in for a remote client.
    connection = http.client.HTTPConnection(
        "127.0.0.1", nginx.port, timeout=TIMEOUT_S, source_address=("127.0.0.2", 0)
    )
    connection.request("GET", "/metrics", headers=scraper)
    assert connection.getresponse().status == 403
    connection.close()


def test_gunicorn_down_is_502_problem_json(server_env, tmp_path):
    with running_gunicorn(server_env, workers=1, threads=1) as gunicorn:
        upstream_port = gunicorn.port
    with running_nginx(tmp_path, upstream_port=upstream_port) as nginx:
        response = requests.get(f"{nginx.url}/catalog/movies/", timeout=TIMEOUT_S)
    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Bad Gateway"


# The microcache of the customer pages. Requests come from addresses of their own, so that
# NGINX's per-address limit (20 r/s) of the other tests never holds them back.
CACHE_CLIENT = "127.0.0.5"
# A cached page lives 1 s; a pair of requests further apart than this proves nothing.
WITHIN_VALIDITY_S = 0.8


def _get(port, path, headers=None, source=CACHE_CLIENT):
    """One GET with a request id of its own: (status, headers, body, request id)."""
    request_id = uuid.uuid4().hex
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=TIMEOUT_S, source_address=(source, 0)
    )
    try:
        connection.request("GET", path, headers={"X-Request-ID": request_id, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read(), request_id
    finally:
        connection.close()


def _reached_app(gunicorn, request_id):
    """Whether the app served the request with this id (its access log line)."""
    return f'"request_id": "{request_id}"' in gunicorn.log_text()


def _fresh(path):
    """The path with a query of its own: a cache key no other request used."""
    return f"{path}{'&' if '?' in path else '?'}n={uuid.uuid4().hex}"


def _two_in_a_row(port, path, headers=None):
    """The same GET twice, the second within the first's second of validity."""
    for _ in range(3):  # a stalled machine may space them out: try again, never pass so
        fresh = _fresh(path)
        started = time.monotonic()
        first = _get(port, fresh, headers)
        second = _get(port, fresh, headers)
        if time.monotonic() - started < WITHIN_VALIDITY_S:
            return first, second
    pytest.fail(f"could not send two requests within {WITHIN_VALIDITY_S} s")


@pytest.mark.parametrize("path", ["/", "/?q=hope&sort=-price", "/films/0076759"])
def test_a_public_page_asked_again_within_a_second_is_served_by_nginx(stack, path):
    gunicorn, nginx = stack
    first, second = _two_in_a_row(nginx.port, path)
    assert (first[0], first[1]["X-Cache-Status"]) == (200, "MISS")
    assert (second[0], second[1]["X-Cache-Status"]) == (200, "HIT")
    assert second[2] == first[2]
    assert b"Star Wars" in second[2]
    assert _reached_app(gunicorn, first[3])
    assert not _reached_app(gunicorn, second[3])
    # Each answer still has its own request id and the security headers, the app's CSP too.
    assert second[1]["X-Request-ID"] == second[3]
    assert second[1]["X-Content-Type-Options"] == "nosniff"
    assert "style-src 'self'" in second[1]["Content-Security-Policy"]
    assert not any(name.startswith("X-RateLimit") for name in second[1])


def test_a_cached_page_expires_after_its_second(stack):
    gunicorn, nginx = stack
    path = _fresh("/")
    assert _get(nginx.port, path)[1]["X-Cache-Status"] == "MISS"
    # NGINX counts whole seconds: "1s" keeps a copy until the end of the next second, so
    # 1 to 2 s after it was stored.
    time.sleep(2.1)
    status, headers, _, request_id = _get(nginx.port, path)
    assert (status, headers["X-Cache-Status"]) == (200, "EXPIRED")
    assert _reached_app(gunicorn, request_id)


def test_the_cache_key_holds_the_query_and_the_host(stack):
    _, nginx = stack
    path = _fresh("/?q=hope")
    assert _get(nginx.port, path)[1]["X-Cache-Status"] == "MISS"
    assert _get(nginx.port, path + "x")[1]["X-Cache-Status"] == "MISS"
    other_host = {"Host": f"movies.example.org:{nginx.port}"}
    assert _get(nginx.port, path, other_host)[1]["X-Cache-Status"] == "MISS"


@pytest.mark.parametrize(
    "private", [{"Authorization": "Bearer not-a-token"}, {"Cookie": "session=abc"}]
)
def test_a_request_with_credentials_or_a_cookie_is_never_cached(stack, private):
    gunicorn, nginx = stack
    path = _fresh("/")
    (_, first, _, first_id), (_, second, _, second_id) = [
        _get(nginx.port, path, private) for _ in range(2)
    ]
    assert first["X-Cache-Status"] == second["X-Cache-Status"] == "BYPASS"
    assert _reached_app(gunicorn, first_id) and _reached_app(gunicorn, second_id)
    # Nor did its answer go into the cache for others.
    assert _get(nginx.port, path)[1]["X-Cache-Status"] == "MISS"


@pytest.mark.parametrize("path", ["/prices/movies/", "/movies/?page=1", "/catalog/movies/"])
def test_api_paths_are_never_cached(stack, token, path):
    gunicorn, nginx = stack
    for _ in range(2):
        status, headers, _, request_id = _get(
            nginx.port, path, {"Authorization": f"Bearer {token}"}
        )
        assert "X-Cache-Status" not in headers
        assert _reached_app(gunicorn, request_id)
    # Without a token either: the 401 comes from the app each time.
    for _ in range(2):
        status, headers, _, request_id = _get(nginx.port, "/prices/movies/")
        assert (status, "X-Cache-Status" in headers) == (401, False)
        assert _reached_app(gunicorn, request_id)


def test_a_movie_pages_old_path_is_redirected_by_the_app_never_cached(stack):
    gunicorn, nginx = stack
    for _ in range(2):
        status, headers, _, request_id = _get(nginx.port, "/movies/0076759?from=old")
        assert (status, headers["Location"]) == (308, "/films/0076759?from=old")
        assert "X-Cache-Status" not in headers
        assert _reached_app(gunicorn, request_id)


def test_a_crowd_on_an_uncached_page_costs_the_app_one_render(stack):
    gunicorn, nginx = stack
    path = _fresh("/films/0076759")
    crowd = 8
    start = threading.Barrier(crowd)
    answers = []

    def ask(n):
        start.wait()
        answers.append(_get(nginx.port, path, source=f"127.0.0.{10 + n}"))

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(crowd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
    assert [status for status, *_ in answers] == [200] * crowd
    assert sorted(headers["X-Cache-Status"] for _, headers, _, _ in answers) == (
        ["HIT"] * (crowd - 1) + ["MISS"]
    )
    assert sum(_reached_app(gunicorn, request_id) for *_, request_id in answers) == 1
