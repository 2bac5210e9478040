from __future__ import annotations

from marshmallow import Schema, fields, validate

from src.fields import FullMatch

USERNAME_PATTERN = r"^[A-Za-z0-9._-]{3,150}$"


class CredentialsSchema(Schema):
    """A username and password, to register or to log in."""

    username = fields.String(
        required=True,
        validate=FullMatch(
            USERNAME_PATTERN,
            error="3 to 150 characters: ASCII letters, digits, '.', '_' or '-'.",
        ),
    )
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(min=8, max=128),
    )


class TokenPairSchema(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(dump_default="Bearer")


class PasswordChangeSchema(Schema):
    """The password in use, and the one to replace it (under the registration rules)."""

    current_password = fields.String(required=True, load_only=True)
    new_password = fields.String(
        required=True,
        load_only=True,
        validate=CredentialsSchema().fields["password"].validators,
    )


class MessageSchema(Schema):
    message = fields.String(required=True)


class UserSchema(Schema):
    id = fields.Integer()  # noqa: A003
    username = fields.String()
    role = fields.String()
    created_at = fields.AwareDateTime()
