from __future__ import annotations

from flask_smorest import Blueprint

from src.accounts.auth import admin_required
from src.counter import service
from src.counter.schemas import RequestCountResetSchema, RequestCountSchema

bp = Blueprint(
    "counter",
    __name__,
    url_prefix="/request-count",
    description="How many requests the service has served",
)

RESET_MESSAGE = "request count reset successfully"


@bp.get("/")
@bp.response(200, RequestCountSchema)
def read_request_count() -> dict[str, int]:
    """Requests served since the last reset, every path and status, not yet this one."""
    return {"requests": service.request_count()}


@bp.post("/reset/")
@admin_required
@bp.response(200, RequestCountResetSchema)
def reset_request_count() -> dict[str, object]:
    """Zero the request count (admin); the reset request is the first one counted after it."""
    before = service.reset_request_count()
    return {"message": RESET_MESSAGE, "requests_before_reset": before}
