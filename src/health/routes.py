from __future__ import annotations

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


@bp.get("/healthz")
@probe
@not_rate_limited
@bp.response(200, HealthSchema)
def healthz() -> dict[str, str]:
    """The process is alive (does not touch the database)."""
    return {"status": "ok"}


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
