"""The customer page as a person sees it: headless Chromium against a real gunicorn that
calls a real simulator. Screenshots are kept under artifacts/ to look at."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.conftest import SIMULATOR_PROVIDER_TOKEN, simulator_settings
from tests.support.processes import (
    RunningServer,
    migrate,
    run_flask,
    running_gunicorn,
)
from tests.support.simulator import (
    REPO_ROOT,
    REQUEST_TIMEOUT_S,
    RunningSimulator,
    running_simulator,
)

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "artifacts"
SCRIPT_TITLE = '<script>alert("owned")</script> The Escaped Film'
PAGE_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def site_simulator() -> Iterator[RunningSimulator]:
    """The site's own simulator: this module posts a movie to it."""
    env = {"PROVIDER_API_TOKEN": SIMULATOR_PROVIDER_TOKEN, "SIM_FAULTS": None}
    with running_simulator(env={**env, "SIM_PROVIDER_DATA_DIR": None}) as simulator:
        posted = requests.post(
            f"{simulator.url}/api/cinemaworld/movie",
            json={"Title": SCRIPT_TITLE, "Year": "2024", "Price": "4.00", "ID": "cw0000042"},
            headers={"x-access-token": SIMULATOR_PROVIDER_TOKEN},
            timeout=REQUEST_TIMEOUT_S,
        )
        posted.raise_for_status()
        yield simulator


@pytest.fixture(scope="module")
def site_env(
    site_simulator: RunningSimulator, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """The site's environment: its own SQLite database, migrated, both providers fetched."""
    instance = tmp_path_factory.mktemp("e2e-prices")
    settings = {name: str(value) for name, value in simulator_settings(site_simulator.url).items()}
    env = {
        **settings,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{instance}/prices.db",
        "INSTANCE_DIR": str(instance),
    }
    migrate(env)
    refresh_prices(env, expect="filmworld: ok")
    return env


@pytest.fixture(scope="module")
def site(site_env: dict[str, str]) -> Iterator[RunningServer]:
    """gunicorn serving the app."""
    with running_gunicorn(site_env) as app:
        yield app


def refresh_prices(env: dict[str, str], *, expect: str) -> None:
    """Run the worker's refresh, as the queue would, in its own process."""
    try:
        output = run_flask("refresh-prices", env=env)
    except RuntimeError as failed:  # exit 1 when no provider answered
        output = str(failed)
    assert expect in output, output


def age_last_success(env: dict[str, str], provider: str) -> None:
    """Make the provider's last good refresh an hour old, as if it had failed since."""
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    with sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///")) as connection:
        connection.execute(
            "UPDATE provider_status SET last_success_at = ? WHERE provider = ?",
            (long_ago.isoformat(sep=" "), provider),
        )


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser test, but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (CI installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, site: RunningServer, site_simulator: RunningSimulator) -> Iterator[Page]:
    """A fresh page that may load only from the site: no request leaves the machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def local_only(route: Route) -> None:
        if route.request.url.startswith(site.url):
            route.continue_()
        else:
            route.abort()  # the sample posters live on the internet

    page.route("**/*", local_only)
    yield page
    site_simulator.reset_faults()
    context.close()
    assert dialogs == []  # no script from provider text ever ran


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def card(page: Page, movie_id: str):
    return page.locator(f'li.movie[data-movie-id="{movie_id}"]')


def test_the_page_shows_each_movies_cheapest_price_and_where(page: Page, site: RunningServer):
    response = page.goto(f"{site.url}/", wait_until="load")
    assert response is not None and response.status == 200
    new_hope = card(page, "0076759")
    assert new_hope.locator(".cheapest").inner_text().split() == [
        "CHEAPEST",
        "29.50",
        "at",
        "filmworld",
    ]
    assert new_hope.locator(".other-offers").inner_text().split() == ["cinemaworld", "123.50"]
    phantom = card(page, "0120915")
    assert "123343.50" in phantom.locator(".other-offers").inner_text()  # the outlier stays
    assert page.locator(".notices").count() == 0
    assert page.locator("li.movie").count() == 8
    screenshot(page, "prices-page.png")


def test_provider_text_shows_as_text_and_never_runs(page: Page, site: RunningServer):
    page.goto(f"{site.url}/", wait_until="load")
    escaped = card(page, "0000042")
    assert escaped.locator("h2.title").inner_text() == SCRIPT_TITLE
    assert escaped.locator(".poster-missing").inner_text() == "No poster"
    assert page.locator("script").count() == 0


def test_a_provider_that_is_down_is_named_in_a_visible_notice(
    page: Page, site: RunningServer, site_env: dict[str, str], site_simulator: RunningSimulator
):
    site_simulator.set_faults("filmworld", error_rate=1.0)
    age_last_success(site_env, "filmworld")
    refresh_prices(site_env, expect="filmworld: stale")  # the worker's refresh finds it down
    page.goto(f"{site.url}/", wait_until="load")
    notice = page.locator('.notice[data-provider="filmworld"]')
    assert notice.is_visible()
    assert notice.inner_text().startswith("filmworld is not answering: its prices are from ")
    assert page.locator(".notice").count() == 1
    new_hope = card(page, "0076759")
    assert "29.50" in new_hope.locator(".cheapest").inner_text()  # its stored offer still counts
    screenshot(page, "prices-page-provider-down.png")
    site_simulator.reset_faults()
    refresh_prices(site_env, expect="filmworld: ok")


def test_the_movie_page_shows_the_offers_and_details(page: Page, site: RunningServer):
    page.goto(f"{site.url}/", wait_until="load")
    card(page, "0076759").locator("a.movie-link").click()
    page.wait_for_url(f"{site.url}/movies/0076759")
    assert page.locator("h1.title").inner_text() == "Star Wars: Episode IV - A New Hope"
    assert page.locator("tr.best").inner_text().split() == ["filmworld", "fw0076759", "29.50"]
    assert page.get_by_text("George Lucas").first.is_visible()
    screenshot(page, "prices-movie-page.png")
