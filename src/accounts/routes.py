from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from src.accounts import service
from src.accounts.auth import current_principal, refresh_token_required, takes_password
from src.accounts.principal import Principal
from src.accounts.schemas import (
    CredentialsSchema,
    MessageSchema,
    PasswordChangeSchema,
    TokenPairSchema,
    UserSchema,
)
from src.view_limits import limit_per_address

bp = Blueprint("accounts", __name__, description="Accounts and tokens")
SESSION_ENDED = "The token is missing, not valid, expired or revoked."
REFRESH_REFUSED = (
    "The refresh token is missing, not valid, expired or revoked, or was already used: "
    "a used one revokes its whole login session."
)


@bp.post("/register/")
@takes_password
@limit_per_address(setting="RATELIMIT_AUTH")
@bp.arguments(CredentialsSchema)
@bp.response(201, TokenPairSchema)
@bp.alt_response(409, description="The username is taken.")
def register(credentials: dict[str, Any]) -> dict[str, str]:
    """Create an account and get its tokens."""
    return service.register(**credentials)


@bp.post("/login/")
@takes_password
@limit_per_address(setting="RATELIMIT_AUTH")
@bp.arguments(CredentialsSchema)
@bp.response(200, TokenPairSchema)
@bp.alt_response(401, description="Wrong username or password.")
def login(credentials: dict[str, Any]) -> dict[str, str]:
    """Exchange a username and password for an access and a refresh token."""
    return service.login(**credentials)


@bp.post("/token/refresh/")
@refresh_token_required
@bp.response(200, TokenPairSchema)
@bp.alt_response(401, description=REFRESH_REFUSED)
def refresh() -> dict[str, str]:
    """Rotate the refresh token (Authorization: Bearer <refresh>): a new pair, the old spent."""
    caller = current_principal()
    return service.refresh(user=caller, claims={"sid": caller.sid, "jti": caller.token_id})


@bp.post("/logout/")
@bp.response(200, MessageSchema)
@bp.alt_response(401, description=SESSION_ENDED)
def logout() -> dict[str, str]:
    """Revoke this login session: its access and refresh tokens stop working."""
    service.logout(user=current_principal())
    return {"message": "logged out"}


@bp.post("/logout/all/")
@bp.response(204)
@bp.alt_response(401, description=SESSION_ENDED)
def logout_everywhere() -> None:
    """Revoke every login session of this user, this one included."""
    service.logout_everywhere(user=current_principal())


@bp.post("/password/")
@limit_per_address(setting="RATELIMIT_AUTH")
@bp.arguments(PasswordChangeSchema)
@bp.response(204)
@bp.alt_response(401, description=SESSION_ENDED)
@bp.alt_response(403, description="The current password is wrong.")
def change_password(passwords: dict[str, str]) -> None:
    """Change your password; your other login sessions are revoked, this one is kept."""
    service.change_password(user=current_principal(), **passwords)


@bp.get("/me/")
@bp.response(200, UserSchema)
def me() -> Principal:
    """The account the token belongs to."""
    return current_principal()
