"""A failing or slow provider never delays the answer past the deadline; what is stored
is served marked stale; 503 only when nothing is known. Real HTTP to the simulator."""

import time

import pytest

from src.pricing import service

DEADLINE_S = 2.0  # PRICE_DEADLINE_S's default, which the app under test keeps
FILMWORLD_IDS = {"0076759", "0080684", "0086190", "0120915", "0121765", "0121766"}


def timed_get(client, path, headers):
    started = time.monotonic()
    response = client.get(path, headers=headers)
    return response, time.monotonic() - started


@pytest.fixture
def always_refresh(prices, monkeypatch):
    """Offers are old as soon as stored, so every request calls the providers."""
    monkeypatch.setitem(prices.config, "PRICE_MAX_AGE_S", 0)


def test_a_hanging_provider_answers_within_the_deadline_with_the_others_offers(
    prices_client, reader, simulator
):
    simulator.set_faults("cinemaworld", hang=True)
    response, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < DEADLINE_S + 0.5
    assert response.status_code == 200
    unavailable = {"status": "unavailable", "fetched_at": None}
    assert response.json["providers"]["cinemaworld"] == unavailable
    assert response.json["providers"]["filmworld"]["status"] == "ok"
    movies = response.json["data"]
    assert {movie["id"] for movie in movies} == FILMWORLD_IDS
    assert {movie["cheapest"]["provider"] for movie in movies} == {"filmworld"}


def test_a_provider_hanging_after_a_success_is_served_stale_within_the_deadline(
    prices_client, reader, simulator, always_refresh
):
    first = prices_client.get("/prices/movies/", headers=reader).json
    simulator.set_faults("filmworld", hang=True)
    response, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < DEADLINE_S + 0.5
    providers = response.json["providers"]
    assert providers["filmworld"] == {**first["providers"]["filmworld"], "status": "stale"}
    assert providers["cinemaworld"]["status"] == "ok"
    assert response.json["data"] == first["data"]  # filmworld's stored offers still count


def test_both_failing_after_a_success_serve_what_is_stored_as_stale(
    prices_client, reader, simulator, always_refresh
):
    first = prices_client.get("/prices/movies/", headers=reader).json
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    assert {state["status"] for state in response.json["providers"].values()} == {"stale"}
    assert response.json["data"] == first["data"]
    detail = prices_client.get("/prices/movies/0076759/", headers=reader)
    assert detail.status_code == 200
    assert detail.json["providers"]["cinemaworld"]["status"] == "stale"


def test_both_failing_from_cold_is_503(prices_client, reader, simulator):
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    response, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < DEADLINE_S + 0.5
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    detail = prices_client.get("/prices/movies/0076759/", headers=reader)
    assert detail.status_code == 503


def test_both_hanging_from_cold_is_503_within_the_deadline(prices_client, reader, simulator):
    simulator.set_faults("cinemaworld", hang=True)
    simulator.set_faults("filmworld", hang=True)
    response, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < DEADLINE_S + 0.5
    assert response.status_code == 503


def test_a_slow_provider_is_stored_in_the_background_for_the_next_request(
    prices, prices_client, reader, simulator
):
    # List and records at 1.2 s each: 2.4 s in all, past the answer's deadline but within
    # the fetch's own time (PRICE_FETCH_TIMEOUT_S), so the fetch lands after the answer.
    simulator.set_faults("cinemaworld", latency_ms=1200)
    first, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < DEADLINE_S + 0.5
    assert first.json["providers"]["cinemaworld"]["status"] == "unavailable"
    with prices.app_context():
        assert service.wait_for_fetches(timeout_s=10)
    second, took = timed_get(prices_client, "/prices/movies/", reader)
    assert took < 0.5
    assert second.json["providers"]["cinemaworld"]["status"] == "ok"
    assert len(second.json["data"]) == 7


def test_later_requests_do_not_wait_again_for_a_fetch_already_past_its_deadline(
    prices_client, reader, simulator, always_refresh
):
    prices_client.get("/prices/movies/", headers=reader)
    simulator.set_faults("cinemaworld", hang=True)
    _, first_took = timed_get(prices_client, "/prices/movies/", reader)
    response, took = timed_get(prices_client, "/prices/movies/", reader)
    assert first_took > 1.0  # this one waited for the hanging fetch it started
    assert took < 0.5  # this one joined it, already past its deadline
    assert response.json["providers"]["cinemaworld"]["status"] == "stale"


def test_a_wrong_provider_token_leaves_the_provider_unavailable(
    prices, prices_client, reader, monkeypatch
):
    monkeypatch.setitem(prices.config, "PROVIDER_API_TOKEN", "not-the-token")
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 503
