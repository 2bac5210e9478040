import pytest

from src import create_app
from tests.conftest import settings_for_tests


def test_api_answers_carry_protective_headers(client):
    headers = client.get("/healthz").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_when_the_proxy_says_https(client):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cors_is_closed_by_default(client):
    response = client.options(
        "/catalog/movies/",
        headers={"Origin": "https://app.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_client(tmp_path):
    settings = settings_for_tests(f"sqlite:///{tmp_path}/cors.db", str(tmp_path))
    app = create_app({**settings, "CORS_ORIGINS": ["https://app.example.org"]})
    return app.test_client()


def test_cors_allows_only_the_configured_origins(cors_client):
    allowed = cors_client.options(
        "/catalog/movies/",
        headers={"Origin": "https://app.example.org", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    other = cors_client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_a_browser_client_may_read_the_rate_limit_and_etag_headers(cors_client):
    answer = cors_client.get("/healthz", headers={"Origin": "https://app.example.org"})
    exposed = {name.strip() for name in answer.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Retry-After", "ETag", "X-RateLimit-Limit", "X-RateLimit-Remaining"} <= exposed
