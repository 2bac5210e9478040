from __future__ import annotations

from marshmallow import Schema, fields


class RequestCountSchema(Schema):
    requests = fields.Integer(
        required=True, metadata={"description": "requests served since the last reset"}
    )


class RequestCountResetSchema(Schema):
    message = fields.String(required=True)
    requests_before_reset = fields.Integer(
        required=True,
        metadata={"description": "the count this reset zeroed, read in the same transaction"},
    )
