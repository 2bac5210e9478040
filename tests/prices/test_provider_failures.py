"""A failing or slow provider costs the worker's refresh at most its deadline and never
delays a request; what is stored is served (marked stale once old); 503 only when nothing is
known. Real HTTP to the simulator."""

import threading
import time

import pytest

from tests.prices.conftest import run_refresh

DEADLINE_S = 1.5  # the refresh's deadline in these tests (PRICE_DEADLINE_S)
SLACK_S = 0.5  # the refresh stores after its deadline: loopback and a busy CPU
# A request that called a hanging provider would wait at least one call's timeout.
FETCH_TIMEOUT_S = 2.0  # PRICE_FETCH_TIMEOUT_S's default, which the app under test keeps
FILMWORLD_IDS = {"0076759", "0080684", "0086190", "0120915", "0121765", "0121766"}


@pytest.fixture(autouse=True)
def short_deadline(prices, monkeypatch):
    monkeypatch.setitem(prices.config, "PRICE_DEADLINE_S", DEADLINE_S)


def timed_refresh(app):
    started = time.monotonic()
    report = run_refresh(app)
    return report, time.monotonic() - started


def timed_get(client, path, headers):
    started = time.monotonic()
    response = client.get(path, headers=headers)
    return response, time.monotonic() - started


def test_a_hanging_provider_costs_the_refresh_its_deadline_and_the_other_is_stored(
    prices, prices_client, reader, simulator
):
    simulator.set_faults("cinemaworld", hang=True)
    report, took = timed_refresh(prices)
    assert took < DEADLINE_S + SLACK_S
    assert report.outcomes == {"cinemaworld": "failed", "filmworld": "ok"}
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    unavailable = {"status": "unavailable", "fetched_at": None}
    assert response.json["providers"]["cinemaworld"] == unavailable
    assert response.json["providers"]["filmworld"]["status"] == "ok"
    movies = response.json["data"]
    assert {movie["id"] for movie in movies} == FILMWORLD_IDS
    assert {movie["cheapest"]["provider"] for movie in movies} == {"filmworld"}


def test_requests_during_a_refresh_of_a_hanging_provider_answer_at_once(
    prices, prices_client, reader, refreshed, simulator
):
    simulator.set_faults("cinemaworld", hang=True)
    simulator.set_faults("filmworld", hang=True)
    refreshing = threading.Thread(target=run_refresh, args=(prices,))
    refreshing.start()
    answers = []
    while refreshing.is_alive():
        for path in ("/prices/movies/", "/prices/movies/0076759/", "/", "/films/0076759"):
            answers.append((path, *timed_get(prices_client, path, reader)))
    refreshing.join()
    assert len(answers) >= 4
    assert {response.status_code for _, response, _ in answers} == {200}
    assert max(took for _, _, took in answers) < FETCH_TIMEOUT_S, answers


def test_a_provider_failing_after_a_success_keeps_its_offers_stale_once_old(
    prices, prices_client, reader, refreshed, simulator, monkeypatch
):
    first = prices_client.get("/prices/movies/", headers=reader).json
    simulator.set_faults("filmworld", hang=True)
    report, took = timed_refresh(prices)
    assert took < DEADLINE_S + SLACK_S
    assert report.outcomes["filmworld"] == "failed"
    young = prices_client.get("/prices/movies/", headers=reader).json
    # Its last success is younger than PRICE_MAX_AGE_S: still ok, with the same offers.
    assert young["providers"]["filmworld"] == first["providers"]["filmworld"]
    assert young["data"] == first["data"]
    monkeypatch.setitem(prices.config, "PRICE_MAX_AGE_S", 0)
    old = prices_client.get("/prices/movies/", headers=reader).json
    assert old["providers"]["filmworld"] == {**first["providers"]["filmworld"], "status": "stale"}
    assert old["data"] == first["data"]  # filmworld's stored offers still count


def test_both_failing_after_a_success_serve_what_is_stored_as_stale(
    prices, prices_client, reader, refreshed, simulator, monkeypatch
):
    first = prices_client.get("/prices/movies/", headers=reader).json
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    assert run_refresh(prices).outcomes == {"cinemaworld": "failed", "filmworld": "failed"}
    monkeypatch.setitem(prices.config, "PRICE_MAX_AGE_S", 0)
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    assert {state["status"] for state in response.json["providers"].values()} == {"stale"}
    assert response.json["data"] == first["data"]
    detail = prices_client.get("/prices/movies/0076759/", headers=reader)
    assert detail.status_code == 200
    assert detail.json["providers"]["cinemaworld"]["status"] == "stale"


def test_before_any_refresh_the_prices_are_503(prices_client, reader, simulator):
    simulator.reset_stats()
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert prices_client.get("/prices/movies/0076759/", headers=reader).status_code == 503
    assert simulator.stats()["cinemaworld"] == {}  # a request never fetches


def test_both_failing_from_cold_stay_503(prices, prices_client, reader, simulator):
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    assert run_refresh(prices).outcomes == {"cinemaworld": "failed", "filmworld": "failed"}
    assert prices_client.get("/prices/movies/", headers=reader).status_code == 503


def test_both_hanging_from_cold_end_the_refresh_by_its_deadline_and_stay_503(
    prices, prices_client, reader, simulator
):
    simulator.set_faults("cinemaworld", hang=True)
    simulator.set_faults("filmworld", hang=True)
    report, took = timed_refresh(prices)
    assert took < DEADLINE_S + SLACK_S
    assert report.outcomes == {"cinemaworld": "failed", "filmworld": "failed"}
    assert prices_client.get("/prices/movies/", headers=reader).status_code == 503


def test_records_slower_than_the_deadline_keep_their_last_offers(
    prices, prices_client, reader, refreshed, simulator
):
    # The list and each record take 1.2 s: the list arrives, the records not by 1.5 s.
    simulator.set_faults("cinemaworld", latency_ms=1200)
    report, took = timed_refresh(prices)
    assert took < DEADLINE_S + SLACK_S
    assert report.outcomes["cinemaworld"] == "partial"
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.json["providers"]["cinemaworld"]["status"] == "ok"  # the list came
    assert len(response.json["data"]) == 7
    cinemaworld = [
        o for m in response.json["data"] for o in m["offers"] if "cw" in o["provider_movie_id"]
    ]
    assert len(cinemaworld) == 7


def test_a_slow_provider_within_the_deadline_is_stored(prices, prices_client, reader, simulator):
    simulator.set_faults("cinemaworld", latency_ms=400)  # list and records: 0.8 s in all
    assert run_refresh(prices).outcomes == {"cinemaworld": "ok", "filmworld": "ok"}
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.json["providers"]["cinemaworld"]["status"] == "ok"
    assert len(response.json["data"]) == 7


def test_a_wrong_provider_token_leaves_the_provider_unavailable(
    prices, prices_client, reader, monkeypatch
):
    monkeypatch.setitem(prices.config, "PROVIDER_API_TOKEN", "not-the-token")
    assert run_refresh(prices).outcomes == {"cinemaworld": "failed", "filmworld": "failed"}
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 503
