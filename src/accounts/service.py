"""Accounts: registration, login, login sessions (refresh rotation, revocation), passwords."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, get_jti
from sqlalchemy.exc import IntegrityError

from src.accounts import repository
from src.accounts.auth import BEARER_CHALLENGE, REVOKED, UNKNOWN_USER
from src.accounts.models import User
from src.accounts.principal import Principal
from src.columns import utcnow
from src.errors import Conflict, Forbidden, Unauthorized
from src.extensions import db


@dataclass(frozen=True)
class _Passwords:
    hasher: PasswordHasher
    # Checked against when the username is unknown, so both paths cost the same.
    decoy_hash: str


_PASSWORDS = "passwords"


def _passwords() -> _Passwords:
    """The app's password hasher (its configured costs) and decoy hash, made on first use."""
    found: _Passwords | None = current_app.extensions.get(_PASSWORDS)
    if found is None:
        hasher = PasswordHasher(
            time_cost=current_app.config["ARGON2_TIME_COST"],
            memory_cost=current_app.config["ARGON2_MEMORY_COST_KIB"],
        )
        made = _Passwords(hasher=hasher, decoy_hash=hasher.hash(uuid.uuid4().hex))
        found = current_app.extensions.setdefault(_PASSWORDS, made)
    return found


def _hasher() -> PasswordHasher:
    return _passwords().hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _mint_tokens(user: User | Principal, *, sid: str) -> tuple[dict[str, str], str]:
    """An access and a refresh token of the login session sid, and the refresh token's jti."""
    claims = {"role": user.role, "sid": sid}
    identity = str(user.id)
    refresh_token = create_refresh_token(identity=identity, additional_claims=claims)
    access_token = create_access_token(identity=identity, additional_claims=claims)
    tokens = {"access_token": access_token, "refresh_token": refresh_token}
    return tokens, str(get_jti(refresh_token))


def _session_expiry(now: datetime) -> datetime:
    """When the last token minted now expires: until then its session must be known."""
    config = current_app.config
    return now + max(config["JWT_ACCESS_TOKEN_EXPIRES"], config["JWT_REFRESH_TOKEN_EXPIRES"])


def _start_session(user: User) -> dict[str, str]:
    """A new login session for the user, stored, and its first token pair."""
    sid = uuid.uuid4().hex
    tokens, refresh_jti = _mint_tokens(user, sid=sid)
    repository.add_session(
        sid=sid, user_id=user.id, refresh_jti=refresh_jti, expires_at=_session_expiry(utcnow())
    )
    db.session.commit()
    return tokens


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
    return _start_session(create_user(username=username, password=password))


def login(*, username: str, password: str) -> dict[str, str]:
    """Tokens for valid credentials; the same 401 whether the user or the password is wrong."""
    hasher = _hasher()
    user = repository.find_by_username(username=username)
    stored = user.password_hash if user else _passwords().decoy_hash
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None:
        raise Unauthorized("Wrong username or password.")
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return _start_session(user)


def refresh(*, user: User | Principal, claims: Mapping[str, Any]) -> dict[str, str]:
    """Rotate the refresh token: a new pair in the same session; the presented one is spent.

    A refresh token presented again (stolen, or replayed) revokes its whole login session.
    """
    sid, now = claims["sid"], utcnow()
    tokens, refresh_jti = _mint_tokens(user, sid=sid)
    rotated = repository.rotate_refresh(
        sid=sid, presented_jti=claims["jti"], new_jti=refresh_jti, expires_at=_session_expiry(now)
    )
    # Not rotated: the token was spent already (this is its reuse), or a concurrent logout
    # or password change revoked the session a moment ago.
    reused = not rotated and repository.revoke_sessions(user_id=user.id, sid=sid, now=now) > 0
    db.session.commit()
    if reused:
        raise Unauthorized(
            "This refresh token was already used: its login session is revoked; log in again.",
            headers=BEARER_CHALLENGE,
        )
    if not rotated:
        raise Unauthorized(REVOKED, headers=BEARER_CHALLENGE)
    return tokens


def logout(*, user: Principal) -> None:
    """Revoke the whole login session: its access and refresh tokens."""
    repository.revoke_sessions(user_id=user.id, sid=user.sid, now=utcnow())
    db.session.commit()


def logout_everywhere(*, user: Principal) -> None:
    """Revoke every login session of the user, this one included."""
    repository.revoke_sessions(user_id=user.id, now=utcnow())
    db.session.commit()


def change_password(*, user: Principal, current_password: str, new_password: str) -> None:
    """Set a new password; every other session of the user is revoked, this one kept."""
    account = repository.get(user_id=user.id)
    if account is None:  # deleted since the token check
        raise Unauthorized(UNKNOWN_USER, headers=BEARER_CHALLENGE)
    hasher = _hasher()
    try:
        hasher.verify(account.password_hash, current_password)
    except (VerificationError, InvalidHashError) as exc:
        raise Forbidden("The current password is wrong.") from exc
    account.password_hash = hasher.hash(new_password)
    repository.revoke_sessions(user_id=user.id, except_sid=user.sid, now=utcnow())
    db.session.commit()


def ensure_admin(*, username: str, password: str) -> bool:
    """Make username an admin with this password: a new account (True), or an existing one
    given the role (False)."""
    user = repository.find_by_username(username=username)
    if user is None:
        create_user(username=username, password=password, role="admin")
        return True
    _make_admin(user=user, password=password)
    return False


def _make_admin(*, user: User, password: str) -> None:
    # Its sessions are revoked in the same transaction, so no token with the old role
    # outlives the change.
    user.role = "admin"
    user.password_hash = hash_password(password)
    repository.revoke_sessions(user_id=user.id, now=utcnow())
    db.session.commit()


def purge_expired_sessions(*, now: datetime) -> int:
    """Forget login sessions whose tokens have all expired anyway."""
    removed = repository.purge_expired_sessions(now=now)
    db.session.commit()
    return removed
