"""Swagger UI at /docs, its assets served by the service itself from the pinned
swagger-ui-bundle package: no CDN, and a CSP that names no other host and allows no inline
script (the page starts Swagger UI from a script file)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from src.accounts.auth import public
from src.errors import NotFound
from src.security import DOCS_CSP

# The bundle's folder names its Swagger UI version: a new pin gets new asset URLs.
SWAGGER_UI_VERSION = swagger_ui_path.name.removeprefix("swagger-ui-")
ASSET_TYPES = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "favicon-32x32.png": "image/png",
}
ASSET_MAX_AGE_S = 365 * 24 * 3600

bp = Blueprint("docs", __name__)


@bp.get("/docs")
@public
def swagger_ui() -> Response:
    """Swagger UI on this service's OpenAPI spec."""
    page = render_template(
        "docs/swagger_ui.html", title=current_app.config["API_TITLE"], version=SWAGGER_UI_VERSION
    )
    return Response(page, mimetype="text/html", headers={"Content-Security-Policy": DOCS_CSP})


@bp.get("/docs/swagger-ui/<version>/<name>")
@public
def swagger_ui_asset(version: str, name: str) -> Response:
    """One of the Swagger UI files the page loads, cacheable for a year (versioned URL)."""
    if version != SWAGGER_UI_VERSION or name not in ASSET_TYPES:
        raise NotFound("No such Swagger UI file.")
    return send_from_directory(
        swagger_ui_path, name, mimetype=ASSET_TYPES[name], max_age=ASSET_MAX_AGE_S
    )
