"""Provider ids and prices match whole values: no trailing newline, no other scripts' digits."""

import uuid

import pytest
import requests

from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.support.simulator import REQUEST_TIMEOUT_S

MOVIE = {"title": "Heat", "year": 1995, "price": "12.50"}


def _at_provider(simulator, provider_movie_id):
    return requests.get(
        f"{simulator.url}/api/filmworld/movies/{provider_movie_id}",
        headers={"x-access-token": SIMULATOR_PROVIDER_TOKEN},
        timeout=REQUEST_TIMEOUT_S,
    )


@pytest.mark.parametrize("shape", ["{}\n", "{}\r\n", " {}", "{}\t"])
def test_a_provider_id_with_whitespace_is_422_and_not_forwarded(
    prices_client, admin, on_own_simulator, shape
):
    number = str(uuid.uuid4().int)[:12]
    movie = {**MOVIE, "id": shape.format(number)}
    response = prices_client.post("/prices/providers/filmworld/movies/", json=movie, headers=admin)
    assert response.status_code == 422, response.json
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "id" in response.json["errors"]
    assert _at_provider(on_own_simulator, f"fw{number}").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "\u0664\u0662\u0664\u0662"),  # Arabic-Indic 4242
        ("id", "\uff14\uff12\uff14\uff12"),  # full-width 4242
        ("price", "\uff11\uff12.\uff15\uff10"),  # full-width 12.50
        ("price", "1e1"),
    ],
)
def test_digits_other_than_ascii_are_422(prices_client, admin, on_own_simulator, field, value):
    movie = {**MOVIE, field: value}
    response = prices_client.post("/prices/providers/filmworld/movies/", json=movie, headers=admin)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]


@pytest.mark.parametrize("suffix", ["%0A", "%0D%0A", "%20", "%09"])
def test_a_price_id_with_whitespace_is_404(prices_client, reader, refreshed, suffix):
    assert prices_client.get("/prices/movies/", headers=reader).status_code == 200
    assert prices_client.get("/prices/movies/0076759/", headers=reader).status_code == 200
    response = prices_client.get(f"/prices/movies/0076759{suffix}/", headers=reader)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
