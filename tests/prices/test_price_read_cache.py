"""Price reads from the read cache: the JSON reads and the customer pages are computed once
per prices revision (bumped by the refresh) and providers' states, carry a strong ETag and
answer 304; a refresh or a provider turning stale changes the next answer and its ETag."""

from __future__ import annotations

from datetime import timedelta

import pytest

from src import create_app
from src.caching import read_cache
from src.columns import utcnow
from src.extensions import db
from src.pricing import reads, repository
from src.pricing.models import ProviderStatus
from tests.conftest import settings_for_tests, simulator_settings
from tests.prices.conftest import run_refresh
from tests.support.statements import get_recording_statements

API = ["/prices/movies/", "/prices/movies/0076759/"]
PAGES = ["/", "/?q=star&sort=-price", "/films/0076759"]
PRICE_TABLES = ("provider_offers", "provider_status", "price_history")
NEW_MOVIE = {"title": "Heat", "year": 1995, "price": "3.50", "id": "9900001"}


def _statements(client, path, headers):
    return get_recording_statements(client, path, headers)


def _price_queries(statements):
    return [text for text in statements if any(table in text for table in PRICE_TABLES)]


def _get(client, path, headers, etag=None):
    extra = {"If-None-Match": etag} if etag else {}
    return client.get(path, headers={**headers, **extra})


def test_a_read_answered_once_runs_no_price_query_again(prices_client, reader, refreshed):
    for path in API + PAGES:
        first = _get(prices_client, path, reader)
        assert first.status_code == 200, path
        again, statements = _statements(prices_client, path, reader)
        assert again.data == first.data, path
        assert _price_queries(statements) == [], path
        assert [text for text in statements if "revisions" in text], path


def test_the_reads_have_a_strong_etag_and_the_api_asks_clients_to_revalidate(
    prices_client, reader, refreshed
):
    for path in API + PAGES:
        response = _get(prices_client, path, reader)
        etag = response.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), (path, etag)
        cache_control = "private, no-cache" if path in API else "no-cache"
        assert response.headers["Cache-Control"] == cache_control, path
    assert _get(prices_client, API[0], reader).mimetype == "application/json"
    assert _get(prices_client, PAGES[0], reader).mimetype == "text/html"


def test_if_none_match_with_the_current_etag_is_304_without_a_body(
    prices_client, reader, refreshed
):
    for path in API + PAGES:
        first = _get(prices_client, path, reader)
        etag = first.headers["ETag"]
        again, statements = _statements(prices_client, path, {**reader, "If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == first.headers["Cache-Control"]
        # A page's 304 keeps a page's policy, an API answer's the API's.
        policy = first.headers["Content-Security-Policy"]
        assert again.headers["Content-Security-Policy"] == policy, path
        assert _price_queries(statements) == []
        other = _get(prices_client, path, reader, '"other"')
        assert other.status_code == 200 and other.data == first.data


def test_the_cached_answer_is_the_contracts(prices_client, reader, refreshed):
    board = _get(prices_client, "/prices/movies/", reader).json
    again = _get(prices_client, "/prices/movies/", reader).json
    assert again == board
    assert {state["status"] for state in board["providers"].values()} == {"ok"}
    star_wars = next(movie for movie in board["data"] if movie["id"] == "0076759")
    detail = _get(prices_client, "/prices/movies/0076759/", reader).json
    assert {key: detail[key] for key in star_wars} == star_wars
    assert detail["providers"] == board["providers"]
    assert detail["details"]


def test_a_refresh_that_changes_the_prices_changes_the_next_answer_and_its_etag(
    prices, prices_client, reader, admin, on_own_simulator
):
    run_refresh(prices)
    paths = ["/prices/movies/", "/", "/?q=heat"]
    etags = {path: _get(prices_client, path, reader).headers["ETag"] for path in paths}
    new = f"/prices/movies/{NEW_MOVIE['id']}/"
    assert _get(prices_client, new, reader).status_code == 404  # never kept
    forwarded = "/prices/providers/filmworld/movies/"
    assert prices_client.post(forwarded, json=NEW_MOVIE, headers=admin).status_code == 201
    assert _get(prices_client, new, reader).status_code == 404  # not refreshed yet
    run_refresh(prices)
    for path, etag in etags.items():
        answer = _get(prices_client, path, reader, etag)
        assert answer.status_code == 200, path
        assert answer.headers["ETag"] != etag, path
        assert "Heat" in answer.get_data(as_text=True), path
    assert _get(prices_client, new, reader).json["cheapest"] == {
        "provider": "filmworld",
        "price": "3.50",
    }
    assert "Heat" in _get(prices_client, f"/films/{NEW_MOVIE['id']}", reader).text


def test_a_provider_turning_stale_changes_every_answer_without_a_refresh(
    prices, prices_client, reader, refreshed, monkeypatch
):
    before = {path: _get(prices_client, path, reader) for path in API + PAGES}
    assert {s["status"] for s in before[API[0]].json["providers"].values()} == {"ok"}
    # Time passes beyond PRICE_MAX_AGE_S after the stored last successes; nothing is stored.
    later = utcnow() + timedelta(seconds=prices.config["PRICE_MAX_AGE_S"] + 1)
    monkeypatch.setattr(reads, "utcnow", lambda: later)
    for path, first in before.items():
        answer = _get(prices_client, path, reader, first.headers["ETag"])
        assert answer.status_code == 200, path
        assert answer.headers["ETag"] != first.headers["ETag"], path
        if path in API:
            assert {s["status"] for s in answer.json["providers"].values()} == {"stale"}, path
        else:
            assert "is not answering: its prices are from" in answer.text, path


def test_a_last_success_stored_long_ago_is_stale_at_the_next_request(
    prices_client, reader, stored, refreshed
):
    ok = _get(prices_client, "/prices/movies/", reader)
    long_ago = utcnow() - timedelta(hours=1)

    def age_filmworld():
        db.session.get(ProviderStatus, "filmworld").last_success_at = long_ago
        repository.bump_revision()  # as a refresh storing it does
        db.session.commit()

    stored(age_filmworld)
    answer = _get(prices_client, "/prices/movies/", reader, ok.headers["ETag"])
    assert answer.status_code == 200
    assert answer.json["providers"]["filmworld"]["status"] == "stale"
    assert answer.json["providers"]["cinemaworld"]["status"] == "ok"


def test_nothing_known_is_503_and_not_kept(prices, prices_client, reader, simulator):
    assert _get(prices_client, "/prices/movies/", reader).status_code == 503
    assert _get(prices_client, "/", reader).status_code == 503
    run_refresh(prices)
    assert _get(prices_client, "/prices/movies/", reader).status_code == 200
    assert _get(prices_client, "/", reader).status_code == 200


def test_the_spec_documents_the_304_of_the_price_reads(prices_client):
    paths = prices_client.get("/openapi.json").json["paths"]
    assert "304" in paths["/prices/movies/"]["get"]["responses"]
    assert "304" in paths["/prices/movies/{movie_id}/"]["get"]["responses"]


@pytest.fixture
def bounded(prices, simulator):
    """The prices app's settings with a cache of three entries."""
    config = prices.config
    settings = settings_for_tests(config["SQLALCHEMY_DATABASE_URI"], config["INSTANCE_PATH"])
    app = create_app(settings | simulator_settings(simulator.url) | {"READ_CACHE_MAX_ENTRIES": 3})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_cache_bound_holds_for_price_reads_and_answers_stay_right(bounded, reader):
    run_refresh(bounded)
    client = bounded.test_client()
    movie_page = _get(client, "/films/0076759", reader)  # the stored prices, lows, the page
    with bounded.app_context():
        assert len(read_cache()) == 3
    for query in ("star", "war", "the"):
        assert _get(client, f"/?q={query}", reader).status_code == 200
        with bounded.app_context():
            assert len(read_cache()) == 3
    # The page and its daily lows were the least recently used: both computed again, right.
    again, statements = _statements(client, "/films/0076759", reader)
    assert again.data == movie_page.data
    assert [text for text in statements if "price_history" in text]


def test_a_page_served_under_another_prefix_links_under_that_prefix(
    prices_client, reader, refreshed
):
    for path in ("/", "/films/0076759"):
        plain = _get(prices_client, path, reader).text
        prefixed = prices_client.get(path, base_url="http://localhost/shop/").text
        assert 'href="/static/prices.css"' in plain, path
        assert 'href="/shop/static/prices.css"' in prefixed, path
        assert 'href="/static/' not in prefixed, path
