"""The OpenAPI spec as the service really behaves: every error documented as problem+json,
the errors each operation can give, and the constraints the schemas check (through apispec's
public plugin and converter hooks)."""

from __future__ import annotations

import http
from typing import Any

from apispec import APISpec, BasePlugin
from flask import Flask
from flask_smorest import Api
from marshmallow import Schema, fields, validate
from werkzeug.routing import Rule

from src.accounts.auth import ACCESS_TOKEN_SCHEME, REFRESH_TOKEN_SCHEME
from src.errors import PROBLEM_MIMETYPE
from src.fields import NON_BLANK_PATTERN, TrimmedString

PROBLEM_SCHEMA_NAME = "Problem"
DEFAULT_ERROR = "DEFAULT_ERROR"  # flask-smorest's name for the `default` response
# Every answer can be refused by the rate limits, whoever calls and whatever is sent.
_ANY_OPERATION = (429,)
_NEEDS_TOKEN = (401, 503)  # the token gate reads the session from the database
_TAKES_BODY = (400, 413, 415, 422)
_TAKES_PATH_VALUES = (404,)


class ProblemSchema(Schema):
    """An RFC 9457 problem, the body of every error."""

    type = fields.String(required=True)  # noqa: A003
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(), metadata={"description": "field name -> list of messages"}
    )
    request_id = fields.String()


def problem_response(description: str) -> dict[str, Any]:
    """A response whose body is a problem (the schema is resolved by the marshmallow plugin)."""
    return {"description": description, "content": {PROBLEM_MIMETYPE: {"schema": ProblemSchema}}}


class ProblemResponsesPlugin(BasePlugin):
    """Completes each operation with the errors it can give, all as problem+json, and each
    schema with what its Meta.openapi declares (e.g. minProperties)."""

    def schema_helper(self, name: str, definition: dict, **kwargs: Any) -> dict | None:
        schema = kwargs.get("schema")
        meta = getattr(schema, "Meta", None)
        return dict(getattr(meta, "openapi", {})) or None

    def operation_helper(
        self,
        path: str | None = None,
        operations: dict | None = None,
        **kwargs: Any,
    ) -> None:
        rule: Rule | None = kwargs.get("rule")
        for operation in (operations or {}).values():
            responses = {str(status): doc for status, doc in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for error in _possible_errors(operation, rule):
                responses.setdefault(str(error), http.HTTPStatus(error).name)
            for code, response in responses.items():
                if _is_error(code) and isinstance(response, dict):
                    _declare_problem_content(response)


def _possible_errors(operation: dict, rule: Rule | None) -> list[int]:
    statuses = list(_ANY_OPERATION)
    if operation.get("security") != []:
        statuses += _NEEDS_TOKEN
    if "requestBody" in operation:
        statuses += _TAKES_BODY
    if rule is not None and rule.arguments:
        statuses += _TAKES_PATH_VALUES
    return statuses


def _is_error(status: str) -> bool:
    return status == "default" or (status.isdigit() and int(status) >= 400)


def _declare_problem_content(response: dict) -> None:
    if "$ref" in response or "content" in response:
        return
    response["content"] = {PROBLEM_MIMETYPE: {"schema": PROBLEM_SCHEMA_NAME}}


def _non_blank_text(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """Trimmed text with a minimum length refuses blank text: say it with a pattern."""
    if not isinstance(field, TrimmedString):
        return {}
    validators = field.validators
    if any(isinstance(check, validate.Regexp) for check in validators):
        return {}
    if any(isinstance(check, validate.Length) and (check.min or 0) > 0 for check in validators):
        return {"pattern": NON_BLANK_PATTERN}
    return {}


def _decimal_string(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """A Decimal dumped as a string is a string in JSON, not a number."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "format": "decimal"}
    return {}


class ProblemApi(Api):
    """flask-smorest's Api: every HTTP error answered and documented as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [
            *spec_kwargs.get("extra_plugins", ()),
            ProblemResponsesPlugin(),
        ]
        super().init_app(app, spec_kwargs=spec_kwargs)
        _document_problem_responses(self.spec)
        converter = self.ma_plugin.converter
        for attribute_function in (_non_blank_text, _decimal_string):
            converter.add_attribute_function(attribute_function)


def _document_problem_responses(spec: APISpec) -> None:
    """The shared error responses (one per status, and `default`) with their real media
    type; lazy, so only those referenced appear in the spec. They replace flask-smorest's
    own, which say application/json."""
    for status in http.HTTPStatus:
        if status >= 400:
            spec.components.response(status.name, problem_response(status.phrase), lazy=True)
    spec.components.response(DEFAULT_ERROR, problem_response("Any other error"), lazy=True)


def build_api(app: Flask) -> Api:
    """The Api of the app: problem+json errors, bearer security, true types and formats."""
    from src.pricing.schemas import PriceString

    api = ProblemApi(app)
    api.register_field(PriceString, "string", "decimal")
    api.register_field(fields.Url, "string", "uri")
    for scheme, token in ((ACCESS_TOKEN_SCHEME, "access"), (REFRESH_TOKEN_SCHEME, "refresh")):
        api.spec.components.security_scheme(
            scheme,
            {
                "type": "http",
                "scheme": "bearer",
                "bearerFormat": "JWT",
                "description": f"The {token} token from /register/ or /login/.",
            },
        )
    return api
