"""Fixtures for the price comparison: an app that commits for real (the refresh commits as
the worker's does), pointed at the session's simulator, and price tables emptied around each
test. Requests only read: a test that needs prices runs the refresh first (`refreshed`,
`run_refresh`), as the worker would."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete

from src import create_app
from src.accounts import service as accounts_service
from src.accounts.models import User
from src.clients.outbound import reset_upstream_state
from src.extensions import db
from src.pricing import refresh, repository
from src.pricing.models import (
    PriceObservation,
    PriceRefresh,
    ProviderOffer,
    ProviderStatus,
    RefreshCount,
)
from tests.conftest import (
    PASSWORD,
    SIMULATOR_PROVIDER_TOKEN,
    bearer,
    settings_for_tests,
    simulator_settings,
)
from tests.support.simulator import RunningSimulator, running_simulator

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "simulator" / "data"
USER_PREFIX = "prices-"
PRICE_TABLES = (ProviderOffer, ProviderStatus, PriceObservation, PriceRefresh, RefreshCount)


def sample_records(provider: str) -> list[dict[str, str]]:
    """The simulator's sample records of a provider (what the expected values come from)."""
    return json.loads((SAMPLE_DIR / f"{provider}.json").read_text(encoding="utf-8"))["movies"]


def empty_price_tables(app: Flask) -> None:
    with app.app_context():
        for model in PRICE_TABLES:
            db.session.execute(delete(model))
        db.session.execute(delete(User).where(User.username.startswith(USER_PREFIX)))
        repository.bump_revision()  # what a process kept of the prices no longer holds
        db.session.commit()


@pytest.fixture(scope="session")
def prices_app(app: Flask, simulator: RunningSimulator) -> Iterator[Flask]:
    """The service on the session's database (migrated by `app`), calling the simulator."""
    config = app.config
    settings = settings_for_tests(config["SQLALCHEMY_DATABASE_URI"], config["INSTANCE_PATH"])
    application = create_app(settings | simulator_settings(simulator.url))
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def prices(prices_app: Flask, simulator: RunningSimulator) -> Iterator[Flask]:
    """The prices app with nothing stored; after the test, faults cleared and everything
    stored removed."""
    reset_upstream_state()
    empty_price_tables(prices_app)
    simulator.reset_stats()
    yield prices_app
    simulator.reset_faults()
    empty_price_tables(prices_app)
    reset_upstream_state()


def run_refresh(app: Flask) -> refresh.RefreshReport:
    """The worker's refresh, now (as `flask refresh-prices` runs it)."""
    with app.app_context():
        return refresh.refresh_prices()


@pytest.fixture
def refreshed(prices: Flask) -> refresh.RefreshReport:
    """Both providers' prices stored by a refresh before the test."""
    report = run_refresh(prices)
    assert report.outcomes == {"cinemaworld": "ok", "filmworld": "ok"}
    return report


@pytest.fixture
def prices_client(prices: Flask) -> FlaskClient:
    return prices.test_client()


@pytest.fixture
def make_user(prices: Flask, prices_client: FlaskClient) -> Callable[..., dict[str, str]]:
    """A committed user (removed after the test): its Authorization header."""

    def make(name: str, role: str = "user") -> dict[str, str]:
        username = f"{USER_PREFIX}{name}"
        with prices.app_context():
            accounts_service.create_user(username=username, password=PASSWORD, role=role)
        login = prices_client.post("/login/", json={"username": username, "password": PASSWORD})
        assert login.status_code == 200, login.json
        return bearer(login.json["access_token"])

    return make


@pytest.fixture
def reader(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    return make_user("reader")


@pytest.fixture
def admin(make_user: Callable[..., dict[str, str]]) -> dict[str, str]:
    return make_user("admin", role="admin")


@pytest.fixture
def stored(prices: Flask) -> Callable[..., Any]:
    """Run a query on the prices app's database: stored(lambda: db.session.scalars(...))."""

    def query(run: Callable[[], Any]) -> Any:
        with prices.app_context():
            return run()

    return query


@pytest.fixture(scope="module")
def own_simulator() -> Iterator[RunningSimulator]:
    """A simulator for this module alone: tests that post movies change its data."""
    env = {
        "PROVIDER_API_TOKEN": SIMULATOR_PROVIDER_TOKEN,
        "SIM_FAULTS": None,
        "SIM_PROVIDER_DATA_DIR": None,
    }
    with running_simulator(env=env) as running:
        yield running


def point_at(app: Flask, simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the app call another simulator for the rest of the test."""
    for name, value in simulator_settings(simulator.url).items():
        monkeypatch.setitem(app.config, name, value)


@pytest.fixture
def on_own_simulator(
    prices: Flask, own_simulator: RunningSimulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningSimulator]:
    """The prices app calling the module's own simulator, its faults cleared after."""
    point_at(prices, own_simulator, monkeypatch)
    yield own_simulator
    own_simulator.reset_faults()
