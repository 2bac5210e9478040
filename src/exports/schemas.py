from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import url_for
from marshmallow import Schema, ValidationError, fields, validate

from src.exports.models import KINDS
from src.pagination import PageQuerySchema

_DATE_LENGTH = len("2026-11-21")


class InstantField(fields.Field):
    """An ISO 8601 datetime with a timezone, or a date meaning its midnight UTC."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise ValidationError("Give an ISO 8601 datetime with a timezone, or a date.")
        try:
            if len(value) == _DATE_LENGTH:
                return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
            instant = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(
                "Not an ISO 8601 datetime or date, e.g. 2026-11-21T00:00:00Z or 2026-11-21."
            ) from exc
        if instant.tzinfo is None:
            raise ValidationError("Give a timezone, e.g. 2026-11-21T00:00:00Z.")
        return instant.astimezone(UTC)


class ExportCreateSchema(Schema):
    """What to export: the window [since, until) and the kind; unknown fields are refused."""

    since = InstantField(
        load_default=None,
        metadata={
            "type": "string",
            "description": "Start (inclusive), ISO 8601 with timezone or a date; "
            "default: 24 hours before until.",
        },
    )
    until = InstantField(
        load_default=None,
        metadata={"type": "string", "description": "End (exclusive), at most now; default: now."},
    )
    kind = fields.String(load_default="prices", validate=validate.OneOf(KINDS))


class ExportAcceptedSchema(Schema):
    id = fields.UUID(required=True)  # noqa: A003
    status = fields.String(required=True)


def _download_url(export: Any) -> str | None:
    if export.status != "succeeded":
        return None
    return url_for("exports.download_export", export_id=export.id, _external=True)


class ExportSchema(Schema):
    """An export and where its job stands."""

    id = fields.UUID()  # noqa: A003
    kind = fields.String()
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    attempts = fields.Integer()
    rows = fields.Integer(attribute="row_count", allow_none=True)
    error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    download_url = fields.Function(_download_url, allow_none=True)


class ExportQuerySchema(PageQuerySchema):
    """Page through the exports you may see."""
