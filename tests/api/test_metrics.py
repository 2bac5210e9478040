import secrets

import pytest


def test_metrics_count_requests_by_route_and_status(client, user_headers):
    client.get("/catalog/movies/", headers=user_headers)
    client.get("/catalog/movies/00000000-0000-0000-0000-000000000000/", headers=user_headers)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'route="/catalog/movies/",status="200"' in text
    assert 'route="/catalog/movies/<uuid:movie_id>/",status="404"' in text
    assert "http_request_duration_seconds_bucket" in text


def test_invented_methods_share_one_label_so_a_client_cannot_grow_the_metrics(client):
    for number in range(3):
        assert client.open("/catalog/movies/", method=f"BREW{number}").status_code in (401, 405)
    text = client.get("/metrics").get_data(as_text=True)
    assert "BREW" not in text
    assert 'method="OTHER"' in text


def test_metrics_without_a_metrics_token_set_are_open_and_not_in_the_api_spec(client):
    assert client.get("/metrics").status_code == 200
    assert "/metrics" not in client.get("/openapi.json").json["paths"]


METRICS_TOKEN = secrets.token_urlsafe(48)


@pytest.fixture
def guarded(app, client, monkeypatch):
    """The app with METRICS_TOKEN set, as production requires."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", METRICS_TOKEN)
    return client


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ",
        f"Bearer {METRICS_TOKEN[:-1]}",
        f"Bearer {METRICS_TOKEN}x",
        f"Basic {METRICS_TOKEN}",
        METRICS_TOKEN,
    ],
    ids=["none", "empty", "truncated", "extended", "basic", "no-scheme"],
)
def test_metrics_refuse_a_request_without_the_metrics_token(guarded, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = guarded.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "http_requests_total" not in response.get_data(as_text=True)


def test_metrics_refuse_a_users_access_token(guarded, user_headers):
    assert guarded.get("/metrics", headers=user_headers).status_code == 401


def test_metrics_answer_with_the_metrics_token(guarded):
    response = guarded.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    assert "http_requests_total" in response.get_data(as_text=True)


def _gauge(client, name):
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not exposed")


def test_metrics_report_the_queue_depth(client, user_headers):
    before = _gauge(client, "queue_pending_jobs")
    assert client.post("/exports/", json={}, headers=user_headers).status_code == 202
    assert _gauge(client, "queue_pending_jobs") == before + 1


def test_metrics_count_upstream_outcomes_and_lost_counts(client, user_headers):
    client.get("/movies/?page=1", headers=user_headers)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'upstream_calls_total{outcome="ok",upstream="movie-list"}' in text
    assert "request_counter_failures_total" in text
