from __future__ import annotations

from flask import current_app
from flask.typing import ResponseReturnValue
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from src.accounts.auth import probe
from src.errors import UpstreamUnavailable
from src.extensions import db
from src.view_limits import not_rate_limited

bp = Blueprint("health", __name__, description="Liveness and readiness")


class HealthSchema(Schema):
    status = fields.String(required=True)


ALIVE = {"status": "ok"}


@bp.get("/healthz")
@probe
@not_rate_limited
# Documented as @bp.response(200, HealthSchema) would, answered without its dump and wrapping:
# a probe's answer is always this one.
@bp.alt_response(200, schema=HealthSchema, description="OK", success=True)
def healthz() -> ResponseReturnValue:
    """The process is alive (does not touch the database)."""
    return current_app.json.response(ALIVE)


@bp.get("/readyz")
@probe
@not_rate_limited
@bp.response(200, HealthSchema)
@bp.alt_response(503, description="The database does not answer.")
def readyz() -> dict[str, str]:
    """The service can serve: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise UpstreamUnavailable("The database does not answer.", retry_after=5) from exc
    return {"status": "ready"}
