"""The customer page, GET / and GET /films/<id>, through the test client (the browser
test in tests/e2e/ checks what a person sees)."""

import re

import requests

from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.prices.conftest import run_refresh
from tests.support.simulator import REQUEST_TIMEOUT_S

SCRIPT_TITLE = '<script>alert("owned")</script> Film'


def page_text(response):
    return response.get_data(as_text=True)


def card(html, movie_id):
    """The HTML of one movie's card on the home page."""
    cards = html.split('<li class="movie" ')
    return next(card for card in cards if card.startswith(f'data-movie-id="{movie_id}"'))


def test_the_home_page_is_public_and_shows_the_cheapest_price_and_where(prices_client, refreshed):
    response = prices_client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    new_hope = card(page_text(response), "0076759")
    assert "Star Wars: Episode IV - A New Hope" in new_hope
    cheapest = r'class="price">AUD 29.50</strong>\s*at <span class="provider">filmworld'
    assert re.search(cheapest, new_hope)
    assert "123.50" in new_hope  # the other offer
    assert 'loading="lazy"' in new_hope
    assert 'alt="Poster of Star Wars: Episode IV - A New Hope"' in new_hope


def test_a_provider_that_is_down_is_named_in_a_notice(prices, prices_client, simulator):
    simulator.set_faults("filmworld", error_rate=1.0)
    run_refresh(prices)
    html = page_text(prices_client.get("/"))
    assert "<strong>filmworld</strong> is unavailable right now" in html
    assert "cinemaworld</strong> is" not in html


def test_a_provider_failing_after_a_success_is_named_as_out_of_date(
    prices, prices_client, refreshed, simulator, monkeypatch
):
    simulator.set_faults("cinemaworld", error_rate=1.0)
    run_refresh(prices)
    monkeypatch.setitem(prices.config, "PRICE_MAX_AGE_S", 0)
    html = page_text(prices_client.get("/"))
    assert "<strong>cinemaworld</strong> is not answering: its prices are from 20" in html


def test_nothing_known_is_a_friendly_503_page(prices, prices_client, simulator):
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    run_refresh(prices)
    response = prices_client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "10"
    assert "Prices are not available right now" in page_text(response)
    assert prices_client.get("/films/0076759").status_code == 503


def test_the_movie_page_shows_every_offer_and_the_details(prices_client, refreshed):
    response = prices_client.get("/films/0076759")
    assert response.status_code == 200
    html = page_text(response)
    assert "George Lucas" in html
    assert "Mark Hamill, Harrison Ford" in html
    assert html.index("fw0076759") < html.index("cw0076759")  # cheapest first


def test_an_unknown_movie_is_a_friendly_404_page(prices_client, refreshed):
    response = prices_client.get("/films/1234567")
    assert response.status_code == 404
    assert "We could not find that movie" in page_text(response)


def test_a_movie_pages_old_path_redirects_for_good_to_its_page_with_the_query(prices_client):
    response = prices_client.get("/movies/0076759?a=1&b=%C3%A9&a=2")
    assert response.status_code == 308
    assert response.headers["Location"] == "/films/0076759?a=1&b=%C3%A9&a=2"
    assert prices_client.get("/movies/0076759").headers["Location"] == "/films/0076759"


def test_the_movie_list_api_keeps_its_path_beside_the_old_page_paths(prices_client):
    response = prices_client.get("/movies/")
    assert (response.status_code, response.content_type) == (401, "application/problem+json")


def test_the_home_page_links_each_movie_to_its_page_under_films(prices_client, refreshed):
    assert 'href="/films/0076759"' in page_text(prices_client.get("/"))


def test_the_pages_are_not_in_the_api_spec(prices_client):
    paths = prices_client.get("/openapi.json").json["paths"]
    assert "/" not in paths
    assert not [path for path in paths if path.startswith(("/films/", "/movies/{"))]


def test_provider_text_is_escaped_and_a_missing_poster_shows_a_placeholder(
    prices, prices_client, on_own_simulator
):
    posted = requests.post(
        f"{on_own_simulator.url}/api/cinemaworld/movie",
        json={"Title": SCRIPT_TITLE, "Year": "2024", "Price": "1.00", "Plot": "<b>bold</b>"},
        headers={"x-access-token": SIMULATOR_PROVIDER_TOKEN},
        timeout=REQUEST_TIMEOUT_S,
    )
    movie_id = posted.json()["ID"][2:]
    run_refresh(prices)
    html = page_text(prices_client.get("/"))
    assert '<script>alert("owned")' not in html
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt; Film" in html
    assert 'aria-label="No poster for &lt;script&gt;' in card(html, movie_id)
    detail = page_text(prices_client.get(f"/films/{movie_id}"))
    assert "<b>bold</b>" not in detail
    assert "&lt;b&gt;bold&lt;/b&gt;" in detail
    assert "<script" not in detail
