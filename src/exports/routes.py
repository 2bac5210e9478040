from __future__ import annotations

import uuid
from typing import Any

from flask import Response, send_file, url_for
from flask_smorest import Blueprint

from src.accounts.auth import current_principal
from src.exports import service
from src.exports.models import Export
from src.exports.schemas import (
    ExportAcceptedSchema,
    ExportCreateSchema,
    ExportQuerySchema,
    ExportSchema,
)
from src.pagination import envelope_schema

bp = Blueprint("exports", __name__, url_prefix="/exports", description="Queued CSV exports")

_CSV_RESPONSE = {
    "description": "The export as CSV, streamed",
    "content": {"text/csv": {"schema": {"type": "string"}}},
}


@bp.post("/")
@bp.arguments(ExportCreateSchema, required=False)  # no body at all means the last 24 hours
@bp.response(202, ExportAcceptedSchema)
@bp.alt_response(
    429, description="EXPORT_MAX_PENDING of yours are queued or running; see Retry-After."
)
def request_export(data: dict[str, Any]) -> tuple[Export, dict[str, str]]:
    """Request a CSV export of a window (default: the last 24 hours); poll its Location."""
    export = service.request_export(user=current_principal(), **data)
    location = url_for("exports.get_export", export_id=export.id, _external=True)
    return export, {"Location": location}


@bp.get("/")
@bp.arguments(ExportQuerySchema, location="query")
@bp.response(200, envelope_schema(ExportSchema))
def list_exports(query: dict[str, Any]) -> dict[str, Any]:
    """Your exports, newest first (admins: everyone's, the daily ones included)."""
    return service.list_exports(user=current_principal(), **query)


@bp.get("/<uuid:export_id>/")
@bp.response(200, ExportSchema)
def get_export(export_id: uuid.UUID) -> Export:
    """Where an export stands: status, attempts, rows, times, and its download URL when done."""
    return service.get_export(user=current_principal(), export_id=export_id)


@bp.get("/<uuid:export_id>/download/")
@bp.doc(responses={"200": _CSV_RESPONSE})
@bp.alt_response(409, description="The export has not succeeded (yet).")
@bp.alt_response(410, description="The export's file was purged (EXPORT_RETENTION_DAYS).")
def download_export(export_id: uuid.UUID) -> Response:
    """Download a finished export as a CSV file."""
    export, path = service.export_file(user=current_principal(), export_id=export_id)
    response = send_file(path, mimetype="text/csv", conditional=True, max_age=0)
    disposition = f'attachment; filename="{service.download_name(export)}"'
    response.headers["Content-Disposition"] = disposition
    response.headers["Cache-Control"] = "private, no-store"
    return response
