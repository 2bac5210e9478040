"""Domain errors and the one place that turns every error into problem+json (RFC 9457)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

PROBLEM_MIMETYPE = "application/problem+json"
log = logging.getLogger(__name__)


class AppError(Exception):
    """An error the client caused or must know about; its class says which status."""

    status = 500
    title = "Internal Server Error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = dict(headers or {})


class BadRequest(AppError):
    status, title = 400, "Bad Request"


class Unauthorized(AppError):
    status, title = 401, "Unauthorized"


class Forbidden(AppError):
    status, title = 403, "Forbidden"


class NotFound(AppError):
    status, title = 404, "Not Found"


class Conflict(AppError):
    status, title = 409, "Conflict"


class ValidationFailed(AppError):
    status, title = 422, "Unprocessable Content"


class UpstreamBadGateway(AppError):
    status, title = 502, "Bad Gateway"


class UpstreamUnavailable(AppError):
    status, title = 503, "Service Unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        super().__init__(detail, headers=headers)


class UpstreamTimeout(AppError):
    status, title = 504, "Gateway Timeout"


def problem_type(status: int) -> str:
    """A stable, documented type URI per status; clients may branch on it."""
    return f"urn:movie-service:problem:{status}"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an application/problem+json response."""
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    request_id = g.get("request_id") if g else None
    if request_id:
        body["request_id"] = request_id
    response = current_app.response_class(
        current_app.json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _validation_messages(error: HTTPException) -> dict[str, Any] | None:
    """Flatten webargs' {location: {field: [messages]}} into {field: [messages]}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, Mapping):
        return None
    flat: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, Mapping):
            flat.update(location_errors)
    return flat or None


def handle_http_exception(error: HTTPException) -> Response:
    """Routing, method, size and parsing errors from Werkzeug, flask-smorest and webargs."""
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    headers = {
        name: value
        for name, value in error.get_headers()
        if name.lower() not in {"content-type", "content-length"}
    }
    title = error.name if status != 422 else ValidationFailed.title
    detail = error.description or title
    errors = _validation_messages(error)
    if errors:
        detail = "The request has invalid fields; see errors."
    return problem_response(status, title, detail, errors=errors, headers=headers)


def handle_app_error(error: AppError) -> Response:
    """Domain errors raised by services and clients."""
    if error.status >= 500:
        log.warning("upstream or server error: %s", error.detail)
    return problem_response(
        error.status, error.title, error.detail, errors=error.errors, headers=error.headers
    )


def handle_database_unavailable(error: Exception) -> Response:
    """The database is down, restarting or too slow: say so quickly, never hang or crash."""
    log.warning(
        "database unavailable: %s", type(error).__name__, extra={"request_id": g.get("request_id")}
    )
    return problem_response(
        503,
        UpstreamUnavailable.title,
        "The database is unavailable; retry shortly.",
        headers={"Retry-After": "2"},
    )


def handle_unexpected(error: Exception) -> Response:
    """Anything else: log it with the request id, tell the client nothing internal."""
    log.error(
        "unhandled error on %s %s",
        request.method,
        request.path,
        exc_info=error,
        extra={"request_id": g.get("request_id")},
    )
    generic = InternalServerError()
    return problem_response(500, generic.name, "The server could not complete the request.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(AppError, handle_app_error)
    # Replaces the handler flask-smorest's Api registered (call after build_api): one shape.
    app.register_error_handler(HTTPException, handle_http_exception)
    for database_trouble in (OperationalError, InterfaceError, DisconnectionError, PoolTimeout):
        app.register_error_handler(database_trouble, handle_database_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
