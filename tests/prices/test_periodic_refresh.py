"""The worker's periodic task keeps the offers fresh, so customers seldom wait on a provider."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from src.extensions import db
from src.pricing.models import ProviderOffer
from src.worker.tasks import refresh_every_minutes


def _due_refresh(app):
    huey = app.extensions["job_queue"].huey
    now = datetime.now(UTC).replace(tzinfo=None)  # huey compares naive UTC times
    due = [task for task in huey.read_periodic(now) if task.name == "prices.refresh"]
    return huey, due


def test_the_price_refresh_is_due_every_minute(prices):
    _, due = _due_refresh(prices)
    assert len(due) == 1


def test_running_the_periodic_refresh_stores_both_providers_offers(
    prices, prices_client, reader, stored
):
    assert stored(lambda: db.session.scalar(select(func.count()).select_from(ProviderOffer))) == 0
    huey, due = _due_refresh(prices)
    huey.execute(due[0])
    offers = stored(lambda: db.session.scalars(select(ProviderOffer.provider)).all())
    assert sorted(set(offers)) == ["cinemaworld", "filmworld"]
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    assert {name: state["status"] for name, state in response.json["providers"].items()} == {
        "cinemaworld": "ok",
        "filmworld": "ok",
    }
    assert len(response.json["data"]) == 7


def test_the_refresh_interval_is_whole_minutes_and_at_least_one():
    assert [refresh_every_minutes(seconds) for seconds in (1, 60, 89, 91, 300)] == [1, 1, 1, 2, 5]
