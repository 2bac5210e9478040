"""The worker's periodic task is the one fetcher: every minute it refreshes the prices if
this interval of PRICE_REFRESH_S has not been refreshed yet."""

from datetime import UTC, datetime

from sqlalchemy import func, select

from src.columns import utcnow
from src.extensions import db
from src.pricing.models import ProviderOffer
from src.pricing.refresh import interval_start
from src.worker import job_queue


def _due_refresh(app):
    huey = job_queue(app).huey
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


def test_the_periodic_refresh_runs_once_per_interval(prices, simulator):
    huey, due = _due_refresh(prices)
    before = interval_start(utcnow(), 60)
    huey.execute(due[0])
    huey.execute(due[0])  # the same minute again, as a second worker's tick would
    intervals = 1 + (interval_start(utcnow(), 60) != before)  # 2 if a minute began meanwhile
    calls = simulator.stats()
    assert calls["cinemaworld"]["/api/cinemaworld/movies"] == intervals
    assert calls["filmworld"]["/api/filmworld/movies"] == intervals
