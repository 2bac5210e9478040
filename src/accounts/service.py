"""Accounts: registration, login, token refresh and revocation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token
from sqlalchemy.exc import IntegrityError

from src.accounts import repository
from src.accounts.models import User
from src.columns import utcnow
from src.errors import Conflict, Unauthorized
from src.extensions import db


def _hasher() -> PasswordHasher:
    hasher = current_app.extensions.get("password_hasher")
    if hasher is None:
        hasher = PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_COST_KIB"],
        )
        current_app.extensions["password_hasher"] = hasher
        # Checked against when the username is unknown, so both paths cost the same.
        current_app.extensions["decoy_hash"] = hasher.hash(uuid.uuid4().hex)
    return hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _issue_tokens(user: User) -> dict[str, str]:
    claims = {"role": user.role, "sid": uuid.uuid4().hex}
    identity = str(user.id)
    return {
        "access_token": create_access_token(identity=identity, additional_claims=claims),
        "refresh_token": create_refresh_token(identity=identity, additional_claims=claims),
    }


def create_user(*, username: str, password: str, role: str = "user") -> User:
    """Store a new account; Conflict when the username (in any case) is taken."""
    if repository.find_by_username(username=username) is not None:
        raise Conflict(f"The username {username!r} is taken.")
    user = User(username=username, password_hash=hash_password(password), role=role)
    repository.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # a concurrent registration won the race
        db.session.rollback()
        raise Conflict(f"The username {username!r} is taken.") from exc
    return user


def register(*, username: str, password: str) -> dict[str, str]:
    """Create a user account and log it in."""
    return _issue_tokens(create_user(username=username, password=password))


def login(*, username: str, password: str) -> dict[str, str]:
    """Tokens for valid credentials; the same 401 whether the user or the password is wrong."""
    hasher = _hasher()
    user = repository.find_by_username(username=username)
    stored = user.password_hash if user else current_app.extensions["decoy_hash"]
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Unauthorized("Wrong username or password.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        db.session.commit()
    return _issue_tokens(user)


def refresh(*, user: User, claims: dict[str, Any]) -> dict[str, str]:
    """A new access token in the same login session as the refresh token."""
    session_claims = {"role": user.role, "sid": claims["sid"]}
    token = create_access_token(identity=str(user.id), additional_claims=session_claims)
    return {"access_token": token}


def logout(*, user: User, claims: dict[str, Any]) -> None:
    """Revoke the whole login session: this access token and its refresh token."""
    lifetime = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    repository.revoke(jti=claims["sid"], user_id=user.id, expires_at=utcnow() + lifetime)
    db.session.commit()


def check_token(*, claims: dict[str, Any]) -> tuple[User | None, bool]:
    """The token's user (None if unknown) and whether the token or its session is revoked."""
    jtis = [claims["jti"], claims["sid"]] if "sid" in claims else [claims["jti"]]
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError):
        return None, False
    found = repository.user_and_revocation(user_id=user_id, jtis=jtis)
    return (None, False) if found is None else found


def purge_expired_revocations(*, now: datetime) -> int:
    """Forget revocations of tokens that have expired anyway."""
    removed = repository.purge_expired_revocations(now=now)
    db.session.commit()
    return removed
