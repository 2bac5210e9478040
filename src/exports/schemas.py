from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import Schema, fields, validate

from src.dates import Instant
from src.exports.models import KINDS, SHOWN_STATUSES
from src.pagination import PageQuerySchema


class ExportCreateSchema(Schema):
    """What to export: the window [since, until) and the kind; unknown fields are refused."""

    since = Instant(
        load_default=None,
        metadata={
            "description": "Start (inclusive): an RFC 3339 date-time with a UTC offset, or a "
            "date (its midnight UTC); a date-time without an offset is refused. "
            "Default: 24 hours before until.",
            "example": "2026-11-20T00:00:00Z",
        },
    )
    until = Instant(
        load_default=None,
        metadata={
            "description": "End (exclusive), at most now; the same forms as since. Default: now.",
            "example": "2026-11-21T00:00:00Z",
        },
    )
    kind = fields.String(load_default="prices", validate=validate.OneOf(KINDS))


class ExportAcceptedSchema(Schema):
    id = fields.UUID(required=True)  # noqa: A003
    status = fields.String(required=True)


def _download_url(export: Any) -> str | None:
    if export.shown_status != "succeeded":
        return None
    return url_for("exports.download_export", export_id=export.id, _external=True)


class ExportSchema(Schema):
    """An export and where its job stands."""

    id = fields.UUID()  # noqa: A003
    kind = fields.String()
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    status = fields.String(
        attribute="shown_status",
        validate=validate.OneOf(SHOWN_STATUSES),
        metadata={
            "description": "queued, running, succeeded or failed; purged once retention "
            "deleted the file (EXPORT_RETENTION_DAYS after it finished)"
        },
    )
    attempts = fields.Integer()
    rows = fields.Integer(attribute="row_count", allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    purged_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.Function(_download_url, allow_none=True)


class ExportQuerySchema(PageQuerySchema):
    """Page through the exports you may see."""
