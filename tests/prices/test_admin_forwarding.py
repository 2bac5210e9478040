"""POST /prices/providers/<provider>/movies/ (admin): validated, forwarded to the provider."""

import time
import uuid

import pytest
import requests

from src.clients.providers import provider_client
from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.prices.conftest import run_refresh
from tests.support.connections import pool_checkouts_during_calls
from tests.support.simulator import REQUEST_TIMEOUT_S, free_port

NEW_MOVIE = {
    "title": "Heat",
    "year": 1995,
    "price": "12.50",
    "director": "Michael Mann",
    "plot": "A group of professional bank robbers start to feel the heat.",
}


def fresh_id():
    """A movie number no test has used on the module's simulator (shared by backends)."""
    return str(uuid.uuid4().int)[:12]


def path(provider):
    return f"/prices/providers/{provider}/movies/"


def provider_record(simulator, provider, provider_movie_id):
    response = requests.get(
        f"{simulator.url}/api/{provider}/movies/{provider_movie_id}",
        headers={"x-access-token": SIMULATOR_PROVIDER_TOKEN},
        timeout=REQUEST_TIMEOUT_S,
    )
    response.raise_for_status()
    return response.json()


def test_an_admin_forwards_a_movie_and_gets_what_the_provider_stored(
    prices_client, admin, on_own_simulator
):
    response = prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=admin)
    assert response.status_code == 201, response.json
    stored = response.json
    assert stored["provider"] == "filmworld"
    assert stored["provider_movie_id"] == f"fw{stored['id']}"
    assert stored["price"] == "12.50"
    assert stored["details"]["director"] == "Michael Mann"
    at_provider = provider_record(on_own_simulator, "filmworld", stored["provider_movie_id"])
    assert at_provider["Title"] == "Heat"
    assert at_provider["Year"] == "1995"
    assert at_provider["Price"] == "12.50"
    assert at_provider["Director"] == "Michael Mann"


def test_no_database_connection_is_held_while_the_provider_answers(
    prices, prices_client, admin, on_own_simulator
):
    with prices.app_context():
        policy = provider_client("filmworld").policy
    with pool_checkouts_during_calls(policy) as checked_out:
        response = prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=admin)
    assert response.status_code == 201, response.json
    assert response.json["title"] == "Heat"
    assert checked_out == [0]


def test_a_forwarded_movie_with_an_id_joins_the_same_movie_elsewhere(
    prices, prices_client, admin, reader, on_own_simulator
):
    movie_id = fresh_id()
    movie = {**NEW_MOVIE, "id": movie_id, "price": "3.00"}
    assert prices_client.post(path("cinemaworld"), json=movie, headers=admin).status_code == 201
    movie["price"] = "2.99"
    assert prices_client.post(path("filmworld"), json=movie, headers=admin).status_code == 201
    run_refresh(prices)  # the worker's next refresh finds it at both
    detail = prices_client.get(f"/prices/movies/{movie_id}/", headers=reader).json
    assert detail["cheapest"] == {"provider": "filmworld", "price": "2.99"}
    assert detail["details"]["plot"].startswith("A group of professional")


def test_forwarding_the_same_id_twice_is_409(prices_client, admin, on_own_simulator):
    movie = {**NEW_MOVIE, "id": fresh_id()}
    assert prices_client.post(path("cinemaworld"), json=movie, headers=admin).status_code == 201
    again = prices_client.post(path("cinemaworld"), json=movie, headers=admin)
    assert again.status_code == 409
    assert again.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": 12.5}, "price"),  # a JSON number would pass through float
        ({"price": "12.345"}, "price"),
        ({"price": "-1.00"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"price": "1e100"}, "price"),
        ({"year": 1799}, "year"),
        ({"year": "1995"}, "year"),
        ({"title": ""}, "title"),
        ({"id": "cw123"}, "id"),
        ({"poster": "javascript:alert(1)"}, "poster"),
        ({"Title": "Heat"}, "Title"),  # unknown fields are refused
    ],
)
def test_invalid_movies_are_422_and_not_forwarded(prices_client, admin, change, field):
    response = prices_client.post(path("filmworld"), json={**NEW_MOVIE, **change}, headers=admin)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_a_missing_title_is_422(prices_client, admin):
    movie = {name: value for name, value in NEW_MOVIE.items() if name != "title"}
    response = prices_client.post(path("filmworld"), json=movie, headers=admin)
    assert response.status_code == 422
    assert "title" in response.json["errors"]


def test_an_unknown_provider_is_404(prices_client, admin):
    response = prices_client.post(path("moviepalace"), json=NEW_MOVIE, headers=admin)
    assert response.status_code == 404
    assert "cinemaworld, filmworld" in response.json["detail"]


def test_users_who_are_not_admins_are_refused(prices_client, reader):
    assert prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=reader).status_code == 403
    assert prices_client.post(path("filmworld"), json=NEW_MOVIE).status_code == 401


def test_a_failing_provider_is_502(prices_client, admin, on_own_simulator):
    on_own_simulator.set_faults("filmworld", error_rate=1.0)
    response = prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=admin)
    assert response.status_code == 502
    assert response.json["detail"].startswith("filmworld answered HTTP 5")


def test_a_hanging_provider_is_504_by_the_deadline(prices_client, admin, on_own_simulator):
    on_own_simulator.set_faults("filmworld", hang=True)
    started = time.monotonic()
    response = prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=admin)
    assert time.monotonic() - started < 2.5
    assert response.status_code == 504
    assert response.json["detail"] == "filmworld did not answer in time."


def test_an_unreachable_provider_is_503(prices, prices_client, admin, monkeypatch):
    monkeypatch.setitem(prices.config, "FILMWORLD_URL", f"http://127.0.0.1:{free_port()}/api/fw")
    response = prices_client.post(path("filmworld"), json=NEW_MOVIE, headers=admin)
    assert response.status_code == 503
    assert response.json["detail"] == "filmworld cannot be reached."
