"""Two processes refreshing the same providers at once (here: two apps, each with its own
refresher and connection pool) store one current offer per movie and every observation."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from src import create_app
from src.extensions import db
from src.pricing import service
from src.pricing.models import PriceObservation, ProviderOffer, ProviderStatus
from tests.conftest import settings_for_tests, simulator_settings


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def refresh(app):
    with app.app_context():
        return service.refresh_all_prices()


def test_concurrent_refreshes_keep_one_offer_per_movie_and_every_observation(prices, simulator):
    settings = settings_for_tests(
        prices.config["SQLALCHEMY_DATABASE_URI"], prices.config["INSTANCE_PATH"]
    )
    twin = create_app(settings | simulator_settings(simulator.url))
    try:
        with ThreadPoolExecutor(2) as pool:
            outcomes = [
                future.result(timeout=30)
                for future in [pool.submit(refresh, prices), pool.submit(refresh, twin)]
            ]
    finally:
        with twin.app_context():
            db.engine.dispose()
    assert [{s.status for s in states.values()} for states in outcomes] == [{"ok"}, {"ok"}]
    with prices.app_context():
        assert count(ProviderOffer) == 13
        assert count(PriceObservation) == 26
        assert count(ProviderStatus) == 2
