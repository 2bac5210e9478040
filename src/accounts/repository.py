"""Account queries. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from src.accounts.models import RevokedToken, User
from src.extensions import db


def find_by_username(*, username: str) -> User | None:
    # The database's lower(), as in the unique index on usernames.
    query = select(User).where(func.lower(User.username) == func.lower(username))
    return db.session.execute(query).scalar_one_or_none()


def add(user: User) -> None:
    db.session.add(user)


def revoke(*, jti: str, user_id: int, expires_at: datetime) -> None:
    if db.session.get(RevokedToken, jti) is None:
        db.session.add(RevokedToken(jti=jti, user_id=user_id, expires_at=expires_at))


def user_and_revocation(*, user_id: int, jtis: list[str]) -> tuple[User, bool] | None:
    """The user and whether any of these token ids is revoked, in one round trip."""
    revoked = select(RevokedToken.jti).where(RevokedToken.jti.in_(jtis)).exists()
    query = select(User, revoked.label("revoked")).where(User.id == user_id)
    row = db.session.execute(query).first()
    return None if row is None else (row[0], bool(row[1]))


def purge_expired_revocations(*, now: datetime) -> int:
    result = db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)
