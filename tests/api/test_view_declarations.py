"""Each view's access and rate limit are declared where the view is: the token gate and the
limiter read those declarations, and a view that declares nothing takes an access token and
the default per-user limit. Checked over every view the app has, so new views are held to it."""

from __future__ import annotations

import tempfile

import pytest
from flask import Flask

from config import ConfigError
from src import create_app
from src.accounts.auth import Access, access_of, init_auth, public
from src.errors import register_error_handlers
from src.ratelimit import init_address_limit, init_rate_limits
from src.view_limits import (
    DEFAULT_LIMIT,
    NOT_RATE_LIMITED,
    ViewLimit,
    limit_of,
    limit_per_address,
    not_rate_limited,
)
from tests.conftest import settings_for_tests

# Every view that takes something else than an access token, and what it takes. A view added
# without a declaration takes an access token; one added with another access is listed here.
DECLARED_ACCESS = {
    "accounts.register": Access.PASSWORD,
    "accounts.login": Access.PASSWORD,
    "accounts.refresh": Access.REFRESH_TOKEN,
    "health.healthz": Access.PROBE,
    "health.readyz": Access.PROBE,
    "metrics.metrics": Access.OWN_CREDENTIAL,
    "pages.home": Access.PUBLIC,
    "pages.movie_page": Access.PUBLIC,
    "pages.old_movie_page": Access.PUBLIC,
    "docs.swagger_ui": Access.PUBLIC,
    "docs.swagger_ui_asset": Access.PUBLIC,
}
PER_ADDRESS_AUTH = ViewLimit("RATELIMIT_AUTH", per_address=True)
DECLARED_LIMITS = {
    "accounts.register": PER_ADDRESS_AUTH,
    "accounts.login": PER_ADDRESS_AUTH,
    "accounts.change_password": PER_ADDRESS_AUTH,
    "health.healthz": NOT_RATE_LIMITED,
    "health.readyz": NOT_RATE_LIMITED,
    "metrics.metrics": NOT_RATE_LIMITED,
}
# The framework's own views, which carry no decorator of ours: Flask's static files and
# flask-smorest's spec, public by the gate's own rule.
FRAMEWORK_VIEWS = {"static", "api-docs.openapi_json"}


@pytest.fixture(scope="module")
def views():
    instance = tempfile.mkdtemp()
    app = create_app(settings_for_tests(f"sqlite:///{instance}/views.db", instance))
    return {name: view for name, view in app.view_functions.items() if name not in FRAMEWORK_VIEWS}


def test_every_view_takes_an_access_token_unless_it_declares_another_access(views):
    declared = {name: access_of(view) for name, view in views.items()}
    others = {name: access for name, access in declared.items() if access != Access.ACCESS_TOKEN}
    assert others == DECLARED_ACCESS
    assert "catalog.create_movie" in declared  # the default covers the rest of the API


def test_every_view_has_the_default_limit_unless_it_declares_another(views):
    declared = {name: limit_of(view) for name, view in views.items()}
    others = {name: limit for name, limit in declared.items() if limit != DEFAULT_LIMIT}
    assert others == DECLARED_LIMITS


def test_the_metrics_view_names_the_credential_it_checks(views):
    assert views["metrics.metrics"].own_credential == "METRICS_TOKEN"


def _declared_app() -> Flask:
    """A small app of its own views, wired to the service's gate and limiter."""
    app = Flask(__name__)
    app.config.update(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ADDRESS="4 per minute",
        RATELIMIT_DEFAULT="3 per minute",
        RATELIMIT_GUESSES="2 per minute",
    )
    init_address_limit(app)
    init_auth(app)
    register_error_handlers(app)

    @app.get("/guess/")
    @public
    @limit_per_address(setting="RATELIMIT_GUESSES")
    def guess() -> str:
        return "guessed"

    @app.get("/probe/")
    @public
    @not_rate_limited
    def probe() -> str:
        return "alive"

    @app.get("/page/")
    @public
    def page() -> str:
        return "page"

    @app.get("/private/")
    def private() -> str:
        return "secret"

    init_rate_limits(app)
    return app


def _statuses(client, path: str, times: int, address: str = "203.0.113.5") -> list[int]:
    answers = [client.get(path, environ_base={"REMOTE_ADDR": address}) for _ in range(times)]
    return [answer.status_code for answer in answers]


def test_the_limiter_holds_a_view_to_the_setting_it_declares():
    client = _declared_app().test_client()
    assert _statuses(client, "/guess/", 3) == [200, 200, 429]
    assert (
        client.get("/guess/", environ_base={"REMOTE_ADDR": "203.0.113.5"}).headers[
            "X-RateLimit-Limit"
        ]
        == "2"
    )
    assert _statuses(client, "/guess/", 1, address="203.0.113.6") == [200]


def test_the_limiter_holds_an_undeclared_view_to_the_default():
    client = _declared_app().test_client()
    assert _statuses(client, "/page/", 4) == [200, 200, 200, 429]


def test_the_limiter_never_limits_a_view_declared_not_rate_limited():
    client = _declared_app().test_client()
    assert _statuses(client, "/page/", 4)[-1] == 429  # the address is over every limit
    assert _statuses(client, "/probe/", 6) == [200] * 6


def test_the_gate_asks_a_token_of_a_view_that_declares_no_access():
    response = _declared_app().test_client().get("/private/")
    assert (response.status_code, response.content_type) == (401, "application/problem+json")


def test_a_view_limited_by_a_setting_that_is_not_set_refuses_to_start():
    app = Flask(__name__)
    app.config.update(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ADDRESS="9 per minute"
    )
    init_address_limit(app)

    @app.get("/guess/")
    @limit_per_address(setting="RATELIMIT_NOWHERE")
    def guess() -> str:
        return "guessed"

    with pytest.raises(ConfigError, match="RATELIMIT_NOWHERE"):
        init_rate_limits(app)
