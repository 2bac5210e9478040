"""flask-jwt-extended's hooks: every token failure becomes a 401 problem+json."""

from __future__ import annotations

from typing import Any

from flask import Response, g

from src.accounts import service
from src.accounts.models import User
from src.accounts.service import BEARER_CHALLENGE
from src.errors import problem_response
from src.extensions import jwt


def _unauthorized(detail: str) -> Response:
    return problem_response(401, "Unauthorized", detail, headers=BEARER_CHALLENGE)


@jwt.unauthorized_loader
def missing_token(reason: str) -> Response:
    return _unauthorized("This endpoint needs a bearer token: Authorization: Bearer <token>.")


@jwt.invalid_token_loader
def invalid_token(reason: str) -> Response:
    return _unauthorized("The token is not valid.")


@jwt.expired_token_loader
def expired_token(header: dict[str, Any], payload: dict[str, Any]) -> Response:
    return _unauthorized("The token has expired; log in or refresh it.")


@jwt.revoked_token_loader
def revoked_token(header: dict[str, Any], payload: dict[str, Any]) -> Response:
    return _unauthorized("The token has been revoked; log in again.")


@jwt.needs_fresh_token_loader
def stale_token(header: dict[str, Any], payload: dict[str, Any]) -> Response:
    return _unauthorized("This action needs a fresh login.")


@jwt.user_lookup_error_loader
def unknown_user(header: dict[str, Any], payload: dict[str, Any]) -> Response:
    return _unauthorized("The token's user no longer exists.")


@jwt.token_verification_failed_loader
def failed_verification(header: dict[str, Any], payload: dict[str, Any]) -> Response:
    return _unauthorized("The token is not valid.")


# flask-jwt-extended asks whether the token is revoked, then for its user: one query
# (the user and its login session, both by primary key) answers both, and the user waits
# in `g` for the second question. A refresh token that was already rotated away passes this
# check while its session lives: the refresh view spends it, or detects its reuse.
@jwt.token_in_blocklist_loader
def token_revoked(header: dict[str, Any], payload: dict[str, Any]) -> bool:
    user, revoked = service.check_token(claims=payload)
    g.token_user = user
    return revoked


@jwt.user_lookup_loader
def load_user(header: dict[str, Any], payload: dict[str, Any]) -> User | None:
    if "token_user" not in g:
        g.token_user, _ = service.check_token(claims=payload)
    user: User | None = g.pop("token_user")
    return user
