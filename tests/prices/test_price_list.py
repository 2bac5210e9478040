"""GET /prices/movies/ and /prices/movies/<id>/ answer what the refresh stored, fetched over
real HTTP from the simulator."""

from decimal import Decimal

from sqlalchemy import func, select

from src.extensions import db
from src.pricing.models import PriceObservation, ProviderOffer
from tests.prices.conftest import run_refresh, sample_records

# Worked out by hand from ../shared/data/providers (prices to two places):
#   id        cinemaworld   filmworld   cheapest
#   0076759   123.5         29.5        filmworld 29.50
#   0080684   13.5          13.9        cinemaworld 13.50
#   0086190   253.5         69.5        filmworld 69.50
#   0120915   123343.5      900.5       filmworld 900.50 (the outlier is kept, not dropped)
#   0121765   12.5          12.25       filmworld 12.25
#   0121766   125.5         129.9       cinemaworld 125.50
#   2488496   129.5         (none)      cinemaworld 129.50
EXPECTED = {
    "0076759": ({"cinemaworld": "123.50", "filmworld": "29.50"}, ("filmworld", "29.50")),
    "0080684": ({"cinemaworld": "13.50", "filmworld": "13.90"}, ("cinemaworld", "13.50")),
    "0086190": ({"cinemaworld": "253.50", "filmworld": "69.50"}, ("filmworld", "69.50")),
    "0120915": ({"cinemaworld": "123343.50", "filmworld": "900.50"}, ("filmworld", "900.50")),
    "0121765": ({"cinemaworld": "12.50", "filmworld": "12.25"}, ("filmworld", "12.25")),
    "0121766": ({"cinemaworld": "125.50", "filmworld": "129.90"}, ("cinemaworld", "125.50")),
    "2488496": ({"cinemaworld": "129.50"}, ("cinemaworld", "129.50")),
}


def test_cheapest_on_the_sample_data(prices_client, reader, refreshed):
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    movies = {movie["id"]: movie for movie in response.json["data"]}
    assert set(movies) == set(EXPECTED)
    for movie_id, (offers, (provider, price)) in EXPECTED.items():
        movie = movies[movie_id]
        assert {o["provider"]: o["price"] for o in movie["offers"]} == offers, movie_id
        assert movie["cheapest"] == {"provider": provider, "price": price}, movie_id
        assert movie["offers"][0]["provider"] == provider  # cheapest first


def test_the_expected_table_matches_the_sample_records():
    for provider in ("cinemaworld", "filmworld"):
        for record in sample_records(provider):
            offers, _ = EXPECTED[record["ID"][2:]]
            assert Decimal(offers[provider]) == Decimal(record["Price"])


def test_movies_are_merged_by_the_number_behind_the_prefix(prices_client, reader, refreshed):
    movies = prices_client.get("/prices/movies/", headers=reader).json["data"]
    new_hope = next(movie for movie in movies if movie["id"] == "0076759")
    assert new_hope["title"] == "Star Wars: Episode IV - A New Hope"
    assert new_hope["year"] == 1977
    assert new_hope["poster"].startswith("http://ia.media-imdb.com/")
    ids = {offer["provider"]: offer["provider_movie_id"] for offer in new_hope["offers"]}
    assert ids == {"cinemaworld": "cw0076759", "filmworld": "fw0076759"}


def test_both_providers_are_reported_ok_with_their_fetch_time(prices_client, reader, refreshed):
    providers = prices_client.get("/prices/movies/", headers=reader).json["providers"]
    assert set(providers) == {"cinemaworld", "filmworld"}
    for state in providers.values():
        assert state["status"] == "ok"
        assert state["fetched_at"].endswith("+00:00")


def test_prices_need_a_token(prices_client):
    response = prices_client.get("/prices/movies/")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


def test_the_detail_adds_the_provider_details(prices_client, reader, refreshed):
    response = prices_client.get("/prices/movies/0076759/", headers=reader)
    assert response.status_code == 200
    movie = response.json
    assert movie["cheapest"] == {"provider": "filmworld", "price": "29.50"}
    assert movie["details"]["director"] == "George Lucas"
    assert movie["details"]["runtime"] == "121 min"
    assert movie["details"]["rating"] == "8.7"
    assert movie["details"]["awards"].startswith("Won 6 Oscars")  # only cinemaworld sends it
    assert movie["providers"]["filmworld"]["status"] == "ok"


def test_the_detail_of_an_unknown_id_is_404(prices_client, reader, refreshed):
    response = prices_client.get("/prices/movies/9999999/", headers=reader)
    assert response.status_code == 404
    assert response.json["detail"] == "No provider sells a movie with id 9999999."


def test_reads_answer_from_the_database_without_calling_a_provider(
    prices_client, reader, refreshed, simulator
):
    simulator.set_faults("cinemaworld", hang=True)
    simulator.set_faults("filmworld", hang=True)
    simulator.reset_stats()
    for path in ("/prices/movies/", "/prices/movies/0076759/"):
        response = prices_client.get(path, headers=reader)
        assert response.status_code == 200
        assert {state["status"] for state in response.json["providers"].values()} == {"ok"}
    assert simulator.stats() == {"cinemaworld": {}, "filmworld": {}, "movielist": {}}


def test_each_refresh_stores_the_offers_and_appends_every_price_to_the_history(prices, stored):
    for _ in range(2):
        assert run_refresh(prices).outcomes == {"cinemaworld": "ok", "filmworld": "ok"}
    offers = stored(lambda: db.session.scalar(select(func.count()).select_from(ProviderOffer)))
    history = stored(lambda: db.session.scalars(select(PriceObservation)).all())
    assert offers == 13
    assert len(history) == 26
    outlier = [row.price for row in history if row.provider_movie_id == "cw0120915"]
    assert outlier == [Decimal("123343.50")] * 2


def test_one_refresh_calls_each_list_once_and_each_record_once(prices, simulator):
    run_refresh(prices)
    calls = simulator.stats()
    for provider in ("cinemaworld", "filmworld"):
        records = {
            f"/api/{provider}/movies/{record['ID']}": 1 for record in sample_records(provider)
        }
        assert calls[provider] == {f"/api/{provider}/movies": 1, **records}


def test_refresh_prices_command_fetches_and_stores_both_providers(prices, stored):
    result = prices.test_cli_runner().invoke(args=["refresh-prices"])
    assert result.exit_code == 0, result.output
    assert "cinemaworld: ok" in result.output
    assert "filmworld: ok" in result.output
    assert "this refresh: ok" in result.output
    offers = stored(lambda: db.session.scalar(select(func.count()).select_from(ProviderOffer)))
    assert offers == 13


def test_refresh_prices_command_fails_when_no_provider_answers(prices, simulator):
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    result = prices.test_cli_runner().invoke(args=["refresh-prices"])
    assert result.exit_code == 1
    assert "cinemaworld: unavailable" in result.output
    assert "this refresh: failed" in result.output
