"""/docs as a person sees it on a machine without internet: headless Chromium against a real
gunicorn, every request that would leave the service refused. Swagger UI still renders the
operations, and its CSP is never violated. The screenshot is kept under artifacts/."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, ConsoleMessage, Route

from tests.support.browser import chromium_browser
from tests.support.processes import RunningServer, instance_env, migrate, running_gunicorn
from tests.support.simulator import REPO_ROOT, REQUEST_TIMEOUT_S

pytestmark = pytest.mark.e2e

PAGE_TIMEOUT_MS = 15_000
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    instance = tmp_path_factory.mktemp("e2e-docs")
    env = instance_env(instance)
    migrate(env)
    with running_gunicorn(env, workers=1, threads=4) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium_browser() as chromium:
        yield chromium


def test_swagger_ui_renders_every_operation_offline(browser: Browser, site: RunningServer):
    spec = requests.get(f"{site.url}/openapi.json", timeout=REQUEST_TIMEOUT_S).json()
    operations = sum(len(METHODS & set(item)) for item in spec["paths"].values())
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    refused: list[str] = []
    problems: list[str] = []

    def service_only(route: Route) -> None:
        if route.request.url.startswith(f"{site.url}/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    def note(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.route("**/*", service_only)
    page.on("console", note)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(f"{site.url}/docs", wait_until="load")
    assert response is not None and response.status == 200
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() == operations
    assert page.locator(".info .title").inner_text().startswith(spec["info"]["title"])
    # "Try it out" calls the service from the page (connect-src 'self').
    page.locator(".opblock-summary", has_text="/healthz").first.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table .response .response-col_status")
    assert status.first.inner_text().strip() == "200"
    (REPO_ROOT / "artifacts").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO_ROOT / "artifacts" / "docs.png"))
    context.close()
    assert refused == []
    assert problems == []
