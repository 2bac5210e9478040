"""The customer page's title search, sort, currency, and the movie page's price history
(chart, its text alternative, lowest in 30 days), through the test client on stored offers
and history (rows as the worker's refresh stores them)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from src.columns import utcnow
from src.extensions import db
from src.pricing import repository
from src.pricing.models import PriceObservation, ProviderOffer, ProviderStatus

SVG = "{http://www.w3.org/2000/svg}"
TODAY = utcnow().date()


@pytest.fixture
def shop(app, client):
    """Store offers (both providers fetched just now, so nothing is fetched) and history."""

    class Shop:
        def __init__(self):
            with app.app_context():
                now = utcnow()
                for provider in ("cinemaworld", "filmworld"):
                    db.session.add(
                        ProviderStatus(provider=provider, last_success_at=now, last_attempt_at=now)
                    )
                repository.bump_revision()  # as a refresh storing it does
                db.session.commit()

        def offer(self, movie_id, title, **prices):
            with app.app_context():
                for provider, price in prices.items():
                    db.session.add(
                        ProviderOffer(
                            provider=provider,
                            provider_movie_id=provider[:2] + movie_id,
                            movie_id=movie_id,
                            title=title,
                            year=2001,
                            poster=None,
                            price=Decimal(price),
                            details={},
                            fetched_at=utcnow(),
                        )
                    )
                repository.bump_revision()  # as a refresh storing it does
                db.session.commit()

        def seen(self, movie_id, provider, price, *, days_ago, hour=12):
            day = TODAY - timedelta(days=days_ago)
            with app.app_context():
                db.session.add(
                    PriceObservation(
                        provider=provider,
                        provider_movie_id=provider[:2] + movie_id,
                        movie_id=movie_id,
                        title="Seen",
                        year=2001,
                        price=Decimal(price),
                        observed_at=datetime.combine(day, time(hour), tzinfo=UTC),
                    )
                )
                repository.bump_revision()  # as a refresh storing it does
                db.session.commit()

    return Shop()


def html_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def titles(html):
    return re.findall(r'<h2 class="title">(.*?)</h2>', html)


def chart_of(html):
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    return ET.fromstring(svg)  # noqa: S314 (our own page, the markup under test)


@pytest.fixture
def catalogue(shop):
    shop.offer("0000001", "Star Wars", cinemaworld="30.00", filmworld="29.50")
    shop.offer("0000002", "STAR TREK", filmworld="12.00")
    shop.offer("0000003", "Amélie", cinemaworld="8.00")
    shop.offer("0000004", "Die Straße", cinemaworld="12.00")
    shop.offer("0000005", "Heat", filmworld="45.10")
    return shop


def test_search_finds_titles_containing_the_words_whatever_their_case(client, catalogue):
    html = html_of(client.get("/?q=  sTaR "))
    assert titles(html) == ["STAR TREK", "Star Wars"]
    assert "2 movies with “<mark>sTaR</mark>” in the title." in html
    assert 'name="q" value="sTaR"' in html


@pytest.mark.parametrize(
    ("query", "found"),
    [("AMÉLIE", "Amélie"), ("ame\u0301lie", "Amélie"), ("STRASSE", "Die Straße")],
)
def test_search_matches_accents_composed_or_not_and_case_folded_letters(
    client, catalogue, query, found
):
    assert titles(html_of(client.get("/", query_string={"q": query}))) == [found]


def test_no_match_is_explained_and_the_query_is_escaped_when_echoed(client, catalogue):
    query = '<script>alert("q")</script>'
    html = html_of(client.get("/", query_string={"q": query}))
    assert titles(html) == []
    escaped = "&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt;"
    assert f"No movie title contains “<mark>{escaped}</mark>”" in html
    assert f'value="{escaped}"' in html
    assert "<script" not in html


def test_a_query_with_a_nul_character_is_a_422_problem_not_a_500(client, catalogue):
    response = client.get("/?q=a%00b")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Amélie", "Die Straße", "STAR TREK", "Star Wars", "Heat"]),
        ("-price", ["Heat", "Star Wars", "Die Straße", "STAR TREK", "Amélie"]),
        ("title", ["Amélie", "Die Straße", "Heat", "STAR TREK", "Star Wars"]),
        ("-title", ["Star Wars", "STAR TREK", "Heat", "Die Straße", "Amélie"]),
    ],
)
def test_sort_orders_by_cheapest_price_or_title_either_way(client, catalogue, sort, expected):
    html = html_of(client.get(f"/?sort={sort}"))
    assert titles(html) == expected  # equal prices (12.00) keep the title order
    assert f'<option value="{sort}" selected>' in html


@pytest.mark.parametrize("sort", ["cheapest", "", "price,title", "<b>"])
def test_an_unknown_sort_is_ignored_and_the_page_shown_by_title(client, catalogue, sort):
    html = html_of(client.get("/", query_string={"sort": sort, "q": "a"}))
    assert titles(html) == ["Amélie", "Die Straße", "Heat", "STAR TREK", "Star Wars"]
    assert '<option value="title" selected>' in html
    assert "<b>" not in html


def test_search_and_sort_go_together(client, catalogue):
    assert titles(html_of(client.get("/?q=star&sort=-price"))) == ["Star Wars", "STAR TREK"]


def test_prices_are_shown_with_the_currency(app, client, catalogue, monkeypatch):
    html = html_of(client.get("/?q=heat"))
    assert '<strong class="price">AUD 45.10</strong>' in html
    assert "Prices in AUD." in html
    monkeypatch.setitem(app.config, "PRICE_CURRENCY", "NZD")
    page = html_of(client.get("/films/0000001"))
    assert '<td class="price">NZD 29.50</td>' in page
    assert "NZD 30.00" in page


def test_the_movie_page_charts_each_providers_daily_low_with_labelled_axes(client, catalogue):
    for days_ago, price in [(10, "31.00"), (9, "30.50"), (0, "30.00")]:
        catalogue.seen("0000001", "cinemaworld", price, days_ago=days_ago)
    catalogue.seen("0000001", "filmworld", "29.50", days_ago=0, hour=1)
    catalogue.seen("0000001", "filmworld", "35.00", days_ago=0, hour=23)  # not the day's low
    svg = chart_of(html_of(client.get("/films/0000001")))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-title chart-desc"
    assert "in AUD" in svg.find(f"{SVG}title").text
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "Price (AUD)" in texts
    assert f"{TODAY.day} {TODAY:%b}" in texts  # the last day labels the x axis
    assert {"30.00", "31.00"} <= set(texts)  # prices label the y axis
    assert texts[-2:] == ["cinemaworld", "filmworld"]  # the legend
    lines = {g.get("data-provider"): g for g in svg.iter(f"{SVG}g") if g.get("data-provider")}
    assert len(lines["cinemaworld"].findall(f"{SVG}polyline")) == 1  # days 10, 9; day 0 alone
    assert len(lines["cinemaworld"].findall(f"{SVG}circle")) == 3
    assert len(lines["filmworld"].findall(f"{SVG}circle")) == 1


def test_the_chart_has_a_text_alternative_and_a_table_of_its_points(client, catalogue):
    catalogue.seen("0000001", "cinemaworld", "31.00", days_ago=3)
    catalogue.seen("0000001", "cinemaworld", "30.00", days_ago=1)
    catalogue.seen("0000001", "filmworld", "29.50", days_ago=1)
    html = html_of(client.get("/films/0000001"))
    desc = chart_of(html).find(f"{SVG}desc").text
    three, one = (TODAY - timedelta(days=n) for n in (3, 1))
    day = f"{one.day} {one:%b} {one.year}"
    assert f"cinemaworld: a price on 2 of the 30 days, lowest AUD 30.00 on {day}" in desc
    assert f"filmworld: a price on 1 of the 30 days, lowest AUD 29.50 on {day}" in desc
    rows = re.findall(r'<tr><th scope="row"><time datetime="([\d-]+)">.*?</tr>', html, re.S)
    assert rows == [three.isoformat(), one.isoformat()]
    assert re.search(rf'datetime="{three}">.*?<td>AUD 31.00</td><td>no price</td>', html)


def test_lowest_in_30_days_names_price_provider_and_day_within_the_window(client, catalogue):
    catalogue.seen("0000001", "filmworld", "5.00", days_ago=30)  # the day before the window
    catalogue.seen("0000001", "cinemaworld", "27.00", days_ago=29, hour=0)  # its first moment
    catalogue.seen("0000001", "filmworld", "28.00", days_ago=2)
    html = html_of(client.get("/films/0000001"))
    first = TODAY - timedelta(days=29)
    lowest = re.search(r'<p class="lowest">(.*?)</p>', html, re.S).group(1)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", lowest)).strip() == (
        f"Lowest in 30 days AUD 27.00 at cinemaworld on {first.day} {first:%b} {first.year}"
    )
    assert f'datetime="{first.isoformat()}"' in lowest
    assert "5.00" not in chart_of(html).find(f"{SVG}desc").text


def test_no_history_yet_is_said_and_no_chart_drawn(client, catalogue):
    html = html_of(client.get("/films/0000005"))
    assert "No price has been recorded for this movie in the last 30 days yet." in html
    assert "<svg" not in html
    assert "Lowest in 30 days" not in html


def test_provider_text_in_the_chart_is_escaped(client, catalogue):
    catalogue.seen("0000001", '<i x="1">odd</i>', "30.00", days_ago=1)
    html = html_of(client.get("/films/0000001"))
    assert "<i " not in html
    assert "&lt;i x=&#34;1&#34;&gt;odd&lt;/i&gt;" in html
    assert '<i x="1">odd</i>' in [t.text for t in chart_of(html).iter(f"{SVG}text")]


def test_the_pages_use_no_inline_style_or_script_under_a_csp_that_allows_none(client, catalogue):
    catalogue.seen("0000001", "cinemaworld", "30.00", days_ago=1)
    for path in ("/", "/?q=star&sort=-price", "/films/0000001"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "style-src 'self'" in csp and "unsafe-inline" not in csp
        html = html_of(response)
        assert not re.search(r"\sstyle=|<style|<script|\son[a-z]+=", html)
