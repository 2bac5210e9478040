"""Several workers at once (here: two apps, each with its own connection pool): one refresh
per interval, decided in the database; and two refreshes forced at the same moment still
store one current offer per movie and every observation."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from src import create_app
from src.columns import utcnow
from src.extensions import db
from src.pricing import refresh, repository
from src.pricing.models import PriceObservation, ProviderOffer, ProviderStatus
from tests.conftest import settings_for_tests, simulator_settings

INTERVAL_START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def twin(prices, simulator):
    """A second app on the same database, as another worker process would be."""
    settings = settings_for_tests(
        prices.config["SQLALCHEMY_DATABASE_URI"], prices.config["INSTANCE_PATH"]
    )
    application = create_app(settings | simulator_settings(simulator.url))
    yield application
    with application.app_context():
        db.engine.dispose()


def in_app(app, job):
    with app.app_context():
        return job()


def both_at_once(apps, job):
    with ThreadPoolExecutor(len(apps)) as pool:
        futures = [pool.submit(in_app, app, job) for app in apps]
        return [future.result(timeout=30) for future in futures]


def intervals_during(run):
    """What run returns, and how many refresh intervals it spanned (1 unless it crossed
    the start of a minute)."""
    before = refresh.interval_start(utcnow(), 60)
    result = run()
    return result, 1 + (refresh.interval_start(utcnow(), 60) != before)


def test_two_workers_due_at_once_refresh_once(prices, twin, simulator):
    reports, intervals = intervals_during(
        lambda: both_at_once([prices, twin], refresh.refresh_if_due)
    )
    assert sum(report is not None for report in reports) == intervals
    calls = simulator.stats()
    assert calls["cinemaworld"]["/api/cinemaworld/movies"] == intervals
    assert calls["filmworld"]["/api/filmworld/movies"] == intervals


def test_an_interval_is_claimed_once_and_the_next_one_again(prices):
    def claim(start):
        def run():
            claimed = repository.claim_interval(interval_start=start, claimed_at=start)
            db.session.commit()
            return claimed

        return in_app(prices, run)

    later = INTERVAL_START + timedelta(minutes=1)
    assert [claim(INTERVAL_START), claim(INTERVAL_START)] == [True, False]
    assert [claim(later), claim(later), claim(INTERVAL_START)] == [True, False, False]


def test_the_interval_is_whole_minutes_from_the_epoch_the_same_on_every_worker():
    assert [refresh.refresh_interval_s(s) for s in (1, 60, 89, 91, 300)] == [60, 60, 60, 120, 300]
    moment = datetime(2026, 12, 1, 9, 7, 59, 999999, tzinfo=UTC)
    assert refresh.interval_start(moment, 60) == datetime(2026, 12, 1, 9, 7, tzinfo=UTC)
    assert refresh.interval_start(moment, 300) == datetime(2026, 12, 1, 9, 5, tzinfo=UTC)


def test_concurrent_refreshes_keep_one_offer_per_movie_and_every_observation(prices, twin):
    before = in_app(prices, repository.revision)
    reports = both_at_once([prices, twin], refresh.refresh_prices)
    assert [set(report.outcomes.values()) for report in reports] == [{"ok"}, {"ok"}]
    with prices.app_context():
        assert count(ProviderOffer) == 13
        assert count(PriceObservation) == 26
        assert count(ProviderStatus) == 2
        assert repository.revision().value == before.value + 2  # both bumps kept
