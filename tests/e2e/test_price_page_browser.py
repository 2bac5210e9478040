"""The customer page as a person sees it: headless Chromium against a real gunicorn that
calls a real simulator. Screenshots are kept under artifacts/ to look at."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Page, Route
from sqlalchemy import create_engine, insert

from src.columns import utcnow
from src.pricing.models import PriceObservation
from tests.conftest import SIMULATOR_PROVIDER_TOKEN, simulator_settings
from tests.support.browser import chromium_browser
from tests.support.processes import (
    RunningServer,
    instance_env,
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
        **instance_env(instance),
    }
    migrate(env)
    refresh_prices(env, expect="filmworld: ok")
    store_sample_history(env["DATABASE_URL"])
    return env


def store_sample_history(url: str) -> None:
    """A New Hope's last 30 days as the worker would have stored them, a few times a day:
    cinemaworld from 130.00 down to 123.50; filmworld at 29.50 with a sale at 24.99 twelve
    days ago and three days without an answer."""
    today = utcnow().date()
    rows = []
    for days_ago in range(30, -1, -1):  # day 30 lies outside the window
        day = today - timedelta(days=days_ago)
        prices = {"cinemaworld": Decimal("123.50") + min(days_ago, 13) * Decimal("0.50")}
        if days_ago not in (5, 6, 7):
            prices["filmworld"] = Decimal("24.99" if days_ago == 12 else "29.50")
        if days_ago == 30:
            prices["filmworld"] = Decimal("9.99")  # too old to be the lowest in 30 days
        for provider, price in prices.items():
            for hour in (0, 8, 16):
                rows.append(history_row(provider, price, datetime.combine(day, time(hour), UTC)))
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(PriceObservation.__table__), rows)
    engine.dispose()


def history_row(provider: str, price: Decimal, observed_at: datetime) -> dict[str, object]:
    return {
        "provider": provider,
        "provider_movie_id": f"{provider[:2]}0076759",
        "movie_id": "0076759",
        "title": "Star Wars: Episode IV - A New Hope",
        "year": 1977,
        "price": price,
        "observed_at": observed_at,
    }


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
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser: Browser, site: RunningServer, site_simulator: RunningSimulator) -> Iterator[Page]:
    """A fresh page that may load only from the site: no request leaves the machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    refused: list[str] = []  # what the CSP blocked: an inline style or script would be
    page.on("console", lambda message: refused.extend(csp_errors(message)))

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
    assert refused == []


def csp_errors(message: ConsoleMessage) -> list[str]:
    text = message.text
    return [text] if message.type == "error" and "Content Security Policy" in text else []


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
        "AUD",
        "29.50",
        "at",
        "filmworld",
    ]
    assert new_hope.locator(".other-offers").inner_text().split() == [
        "cinemaworld",
        "AUD",
        "123.50",
    ]
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
    page.wait_for_url(f"{site.url}/films/0076759")
    assert page.locator("h1.title").inner_text() == "Star Wars: Episode IV - A New Hope"
    assert page.locator("tr.best").inner_text().split() == [
        "filmworld",
        "fw0076759",
        "AUD",
        "29.50",
    ]
    assert page.get_by_text("George Lucas").first.is_visible()
    screenshot(page, "prices-movie-page.png")


def titles(page: Page) -> list[str]:
    return page.locator("li.movie h2.title").all_inner_texts()


def test_searching_a_title_shows_only_the_movies_that_contain_it(page: Page, site: RunningServer):
    page.goto(f"{site.url}/", wait_until="load")
    page.get_by_label("Title").fill("EPISODE v")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*\?q=EPISODE\+v&sort=title$"))
    assert titles(page) == [
        "Star Wars: Episode V - The Empire Strikes Back",
        "Star Wars: Episode VI - Return of the Jedi",
    ]
    assert page.locator(".results").inner_text().startswith("2 movies with “EPISODE v” in")
    assert page.get_by_label("Title").input_value() == "EPISODE v"
    screenshot(page, "prices-page-search.png")
    page.get_by_label("Title").fill("<b>nothing</b>")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("load")
    assert titles(page) == []
    assert (
        page.locator(".results")
        .inner_text()
        .startswith("No movie title contains “<b>nothing</b>”.")
    )
    screenshot(page, "prices-page-search-empty.png")


def test_sorting_by_price_orders_the_cheapest_first_or_last(page: Page, site: RunningServer):
    page.goto(f"{site.url}/", wait_until="load")
    page.get_by_label("Sort by").select_option(label="Price, lowest first")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*sort=price$"))
    cheapest = page.locator("li.movie .cheapest .price").all_inner_texts()
    assert cheapest == [
        "AUD 4.00",
        "AUD 12.25",
        "AUD 13.50",
        "AUD 29.50",
        "AUD 69.50",
        "AUD 125.50",
        "AUD 129.50",
        "AUD 900.50",
    ]
    screenshot(page, "prices-page-sorted-by-price.png")
    page.get_by_label("Sort by").select_option(label="Price, highest first")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*sort=-price$"))
    assert page.locator("li.movie .cheapest .price").all_inner_texts() == cheapest[::-1]


def test_the_movie_page_charts_30_days_of_prices_with_labels(page: Page, site: RunningServer):
    page.goto(f"{site.url}/films/0076759", wait_until="load")
    chart = page.get_by_role("img", name=re.compile("^Lowest price each day at each provider"))
    assert chart.is_visible()
    labels = chart.locator("text").all_text_contents()  # SVG text has no innerText
    today = utcnow().date()
    assert "Price (AUD)" in labels
    assert f"{today.day} {today:%b}" in labels
    assert {"0.00", "150.00"} <= set(labels)
    assert labels[-2:] == ["cinemaworld", "filmworld"]  # the legend
    # The stylesheet draws the lines (no style attribute, which the CSP would refuse).
    line = chart.locator('g[data-provider="filmworld"] polyline').first
    assert line.evaluate("el => getComputedStyle(el).stroke") == "rgb(180, 69, 31)"
    assert chart.locator('g[data-provider="filmworld"] polyline').count() == 2  # the gap
    lowest = page.locator(".lowest").inner_text().split()
    sale = today - timedelta(days=12)
    assert " ".join(lowest) == (
        f"LOWEST IN 30 DAYS AUD 24.99 at filmworld on {sale.day} {sale:%b} {sale.year}"
    )
    screenshot(page, "prices-movie-page-chart.png")


def test_the_charts_points_are_in_a_table_for_screen_readers(page: Page, site: RunningServer):
    page.goto(f"{site.url}/films/0076759", wait_until="load")
    desc = page.locator("svg.price-chart desc").text_content() or ""
    assert "filmworld: a price on 27 of the 30 days, lowest AUD 24.99" in desc
    page.get_by_text("The prices as a table").click()
    table = page.get_by_role("table", name=re.compile("^Lowest price each day"))
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 30
    assert table.locator("tbody tr").last.inner_text().split("\t")[1:] == [
        "AUD 123.50",
        "AUD 29.50",
    ]
    screenshot(page, "prices-movie-page-table.png")
