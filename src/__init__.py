"""The movie service: create_app wires configuration, extensions and blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields

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
from src.errors import PROBLEM_MIMETYPE, handle_http_exception, register_error_handlers
from src.extensions import db, jwt, migrate
from src.http import init_http
from src.logs import configure_logging


class ProblemSchema(Schema):
    """An RFC 9457 problem, the body of every error."""

    type = fields.String(required=True)  # noqa: A003
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(metadata={"description": "field name -> list of messages"})
    request_id = fields.String()


class ProblemApi(Api):
    """flask-smorest's Api with every HTTP error answered as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: Any) -> Any:
        return handle_http_exception(error)

    def _register_responses(self) -> None:
        # The shared error responses are documented with the media type they really have.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = PROBLEM_MIMETYPE
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


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
    app.json.sort_keys = False  # type: ignore[attr-defined]


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


def _build_api(app: Flask) -> Api:
    """flask-smorest's Api: problem+json errors, bearer security, prices as strings."""
    from src.pricing.schemas import PriceString

    api = ProblemApi(app)
    api.register_field(PriceString, "string", "decimal")
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    return api


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the WSGI app from the environment, with optional overrides (tests)."""
    import src.accounts.jwt_callbacks  # noqa: F401  (registers the loaders on `jwt`)
    from src.accounts.auth import init_auth
    from src.cli import register_commands
    from src.metrics import init_metrics
    from src.ratelimit import init_address_limit, init_rate_limits
    from src.security import init_security
    from src.worker import init_queue

    app = Flask(__name__, instance_relative_config=False)
    _load_settings(app, overrides)
    Path(app.config["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    configure_logging(app)
    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    jwt.init_app(app)
    api = _build_api(app)
    # Hooks run in this order: the address limit counts every request before the token gate.
    for init in (
        init_http,
        init_address_limit,
        init_auth,
        init_metrics,
        init_security,
        register_error_handlers,
    ):
        init(app)
    _register_blueprints(app, api)
    for init in (init_rate_limits, register_commands, init_queue):
        init(app)
    install_counter(app)  # last: the outermost WSGI layer (ProxyFix inside), counts every answer
    return app
