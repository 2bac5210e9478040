from __future__ import annotations

from typing import Any

from flask_jwt_extended import current_user, get_jwt
from flask_smorest import Blueprint

from src.accounts import service
from src.accounts.auth import public, refresh_token_required
from src.accounts.schemas import (
    AccessTokenSchema,
    CredentialsSchema,
    MessageSchema,
    TokenPairSchema,
    UserSchema,
)

bp = Blueprint("accounts", __name__, description="Accounts and tokens")


@bp.post("/register/")
@public
@bp.arguments(CredentialsSchema)
@bp.response(201, TokenPairSchema)
@bp.alt_response(409, description="The username is taken.")
def register(credentials: dict[str, Any]) -> dict[str, str]:
    """Create an account and get its tokens."""
    return service.register(**credentials)


@bp.post("/login/")
@public
@bp.arguments(CredentialsSchema)
@bp.response(200, TokenPairSchema)
@bp.alt_response(401, description="Wrong username or password.")
def login(credentials: dict[str, Any]) -> dict[str, str]:
    """Exchange a username and password for an access and a refresh token."""
    return service.login(**credentials)


@bp.post("/token/refresh/")
@refresh_token_required
@bp.response(200, AccessTokenSchema)
def refresh() -> dict[str, str]:
    """Get a new access token with the refresh token (Authorization: Bearer <refresh>)."""
    return service.refresh(user=current_user, claims=get_jwt())


@bp.post("/logout/")
@bp.response(200, MessageSchema)
def logout() -> dict[str, str]:
    """Revoke this login session: its access and refresh tokens stop working."""
    service.logout(user=current_user, claims=get_jwt())
    return {"message": "logged out"}


@bp.get("/me/")
@bp.response(200, UserSchema)
def me() -> Any:
    """The account the token belongs to."""
    return current_user
