"""The movie service: create_app wires configuration, extensions and blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_smorest import Api

from config import (
    BASE_DIR,
    BaseConfig,
    apply_development_defaults,
    check_production,
    database_url,
    settings_from_env,
)
from src.counter.middleware import install_counter
from src.database import engine_options, init_database
from src.errors import register_error_handlers
from src.extensions import db, jwt, migrate
from src.http import ServiceApp, init_body_policy, init_http
from src.json_provider import OrjsonProvider
from src.logs import configure_logging
from src.openapi import build_api


def _load_settings(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_object(BaseConfig)
    settings = settings_from_env()
    settings.update(overrides or {})
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings["SQLALCHEMY_DATABASE_URI"])
    apply_development_defaults(settings)
    check_production(settings)
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(settings)
    settings["API_SPEC_OPTIONS"] = {"security": [{"bearerAuth": []}]}
    app.config.from_mapping(settings)
    app.json = OrjsonProvider(app)


def _register_blueprints(app: Flask, api: Api) -> None:
    from src.accounts.routes import bp as accounts_bp
    from src.catalog.routes import bp as catalog_bp
    from src.collections_api.routes import bp as collections_bp
    from src.counter.routes import bp as counter_bp
    from src.docs import bp as docs_bp
    from src.exports.routes import bp as exports_bp
    from src.health.routes import bp as health_bp
    from src.movie_list.routes import bp as movie_list_bp
    from src.pricing.pages import bp as pages_bp
    from src.pricing.routes import bp as prices_bp

    blueprints = (
        health_bp,
        accounts_bp,
        catalog_bp,
        movie_list_bp,
        collections_bp,
        counter_bp,
        prices_bp,
        exports_bp,
    )
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    app.register_blueprint(pages_bp)  # HTML for customers: not in the API spec
    app.register_blueprint(docs_bp)  # Swagger UI from the service's own files


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app from the environment, with optional overrides (tests)."""
    from src.accounts.auth import init_auth
    from src.cli import register_commands
    from src.monitoring.routes import init_metrics
    from src.ratelimit import init_address_limit, init_rate_limits
    from src.security import init_security
    from src.worker import init_queue

    app = ServiceApp(__name__, instance_relative_config=False)
    _load_settings(app, overrides)
    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    configure_logging(app)
    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    jwt.init_app(app)
    api = build_api(app)
    # Hooks run in this order: the address limit counts every request before the token gate;
    # the access gate runs before the body policy, so a caller without access learns nothing
    # about the body (nor does the view's argument parsing run for them).
    early = (
        init_http,
        init_address_limit,
        init_auth,
        init_body_policy,
        init_metrics,
        init_security,
    )
    for init in (*early, register_error_handlers):
        init(app)
    _register_blueprints(app, api)
    for init in (init_rate_limits, register_commands, init_queue):
        init(app)
    install_counter(app)  # last: the outermost WSGI layer (ProxyFix inside), counts every answer
    return app
