"""How fresh the prices are, from what is stored: each provider ok while its last success
is at most PRICE_MAX_AGE_S old, stale after, unavailable when nothing of it is stored; the
age and the refresh outcomes on /metrics; a log line when a provider's state changes."""

import json
import math
from datetime import timedelta
from decimal import Decimal

import pytest

from src.columns import utcnow
from src.extensions import db
from src.pricing import repository
from src.pricing.models import ProviderOffer, ProviderStatus
from tests.prices.conftest import run_refresh

MAX_AGE_S = 150  # PRICE_MAX_AGE_S's default, which the app under test keeps


@pytest.fixture
def store_status(stored):
    """Write a provider's status row, and one offer of it, as a refresh long ago would have."""

    def write(provider, *, age_s, error=None):
        fetched_at = utcnow() - timedelta(seconds=age_s)

        def run():
            prefix = provider[0] + "w"
            db.session.add(
                ProviderStatus(
                    provider=provider,
                    last_success_at=fetched_at,
                    last_attempt_at=fetched_at,
                    last_error=error,
                )
            )
            db.session.add(
                ProviderOffer(
                    provider=provider,
                    provider_movie_id=f"{prefix}0076759",
                    movie_id="0076759",
                    title="Star Wars",
                    year=1977,
                    poster=None,
                    price=Decimal("10.00"),
                    details={},
                    fetched_at=fetched_at,
                )
            )
            repository.bump_revision()  # as a refresh storing it does
            db.session.commit()

        stored(run)
        return fetched_at

    return write


def providers(client, headers):
    response = client.get("/prices/movies/", headers=headers)
    assert response.status_code == 200, response.json
    return {name: state["status"] for name, state in response.json["providers"].items()}


def test_a_provider_is_ok_while_its_last_success_is_young(prices_client, reader, store_status):
    store_status("cinemaworld", age_s=MAX_AGE_S - 10, error="HTTP 503")  # a failure since
    assert providers(prices_client, reader) == {"cinemaworld": "ok", "filmworld": "unavailable"}


def test_a_provider_whose_last_success_is_old_is_stale_with_its_offers(
    prices_client, reader, store_status
):
    fetched_at = store_status("filmworld", age_s=MAX_AGE_S + 10)
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.json["providers"]["filmworld"] == {
        "status": "stale",
        "fetched_at": fetched_at.isoformat(),
    }
    assert response.json["data"][0]["cheapest"] == {"provider": "filmworld", "price": "10.00"}
    detail = prices_client.get("/prices/movies/0076759/", headers=reader)
    assert detail.json["providers"]["filmworld"]["status"] == "stale"


def test_the_page_names_a_stale_and_an_unavailable_provider(prices_client, store_status):
    store_status("cinemaworld", age_s=3600)
    html = prices_client.get("/").get_data(as_text=True)
    assert "<strong>cinemaworld</strong> is not answering: its prices are from 20" in html
    assert "<strong>filmworld</strong> is unavailable right now" in html


def test_a_status_row_without_a_success_is_unavailable(prices_client, reader, stored):
    def run():
        db.session.add(ProviderStatus(provider="cinemaworld", last_attempt_at=utcnow()))
        repository.bump_revision()  # as a refresh storing it does
        db.session.commit()

    stored(run)
    assert prices_client.get("/prices/movies/", headers=reader).status_code == 503


def metric(client, name, **labels):
    """The value of one sample on /metrics."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in client.get("/metrics").get_data(as_text=True).splitlines():
        if line.startswith(f"{name}{{{wanted}}} "):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_show_the_age_of_each_providers_last_success(prices_client, store_status):
    store_status("cinemaworld", age_s=600)
    age = metric(prices_client, "price_provider_last_success_age_seconds", provider="cinemaworld")
    assert 600 <= age < 660
    never = metric(prices_client, "price_provider_last_success_age_seconds", provider="filmworld")
    assert never == math.inf


def test_metrics_count_the_refresh_outcomes_by_provider(prices, prices_client, simulator):
    run_refresh(prices)
    simulator.set_faults("filmworld", error_rate=1.0)
    run_refresh(prices)
    counts = {
        (provider, outcome): metric(
            prices_client, "price_refreshes_total", outcome=outcome, provider=provider
        )
        for provider in ("cinemaworld", "filmworld")
        for outcome in ("ok", "failed")
    }
    assert counts == {
        ("cinemaworld", "ok"): 2,
        ("cinemaworld", "failed"): None,
        ("filmworld", "ok"): 1,
        ("filmworld", "failed"): 1,
    }


def state_changes(capsys):
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    return [
        (line["provider"], line["previous_status"], line["status"], line["level"])
        for line in lines
        if "prices turned" in line["message"]
    ]


def test_a_change_of_state_is_logged_once_not_at_every_refresh(prices, simulator, stored, capsys):
    run_refresh(prices)
    run_refresh(prices)
    assert state_changes(capsys) == [
        ("cinemaworld", None, "ok", "INFO"),
        ("filmworld", None, "ok", "INFO"),
    ]
    simulator.set_faults("filmworld", error_rate=1.0)
    run_refresh(prices)  # failed, but its last success is young: still ok
    assert state_changes(capsys) == []
    long_ago = utcnow() - timedelta(hours=1)

    def age_filmworld():
        db.session.get(ProviderStatus, "filmworld").last_success_at = long_ago
        repository.bump_revision()  # as a refresh storing it does
        db.session.commit()

    stored(age_filmworld)  # as if it had failed for an hour
    run_refresh(prices)
    run_refresh(prices)
    assert state_changes(capsys) == [("filmworld", "ok", "stale", "WARNING")]
    simulator.reset_faults()
    run_refresh(prices)
    assert state_changes(capsys) == [("filmworld", "stale", "ok", "INFO")]
