"""Account queries. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, select, update

from src.accounts.models import LoginSession, User
from src.extensions import db


def find_by_username(*, username: str) -> User | None:
    # The database's lower(), as in the unique index on usernames.
    query = select(User).where(func.lower(User.username) == func.lower(username))
    return db.session.execute(query).scalar_one_or_none()


def add(user: User) -> None:
    db.session.add(user)


def add_session(*, sid: str, user_id: int, refresh_jti: str, expires_at: datetime) -> None:
    db.session.add(
        LoginSession(sid=sid, user_id=user_id, refresh_jti=refresh_jti, expires_at=expires_at)
    )


def user_and_session_alive(*, user_id: int, sid: str) -> tuple[User, bool] | None:
    """The user and whether its login session `sid` exists unrevoked, in one round trip."""
    session = and_(
        LoginSession.sid == sid, LoginSession.user_id == User.id, LoginSession.revoked_at.is_(None)
    )
    query = (
        select(User, LoginSession.sid).outerjoin(LoginSession, session).where(User.id == user_id)
    )
    row = db.session.execute(query).first()
    return None if row is None else (row[0], row[1] is not None)


def rotate_refresh(*, sid: str, presented_jti: str, new_jti: str, expires_at: datetime) -> bool:
    """Make new_jti the session's refresh token if presented_jti still is; True if so.

    One conditional UPDATE: of two requests presenting the same token, the database lets
    exactly one match (the other waits for its row lock, then finds the jti changed).
    """
    result = db.session.execute(
        update(LoginSession)
        .where(
            LoginSession.sid == sid,
            LoginSession.refresh_jti == presented_jti,
            LoginSession.revoked_at.is_(None),
        )
        .values(refresh_jti=new_jti, expires_at=expires_at)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def revoke_sessions(
    *, user_id: int, now: datetime, sid: str | None = None, except_sid: str | None = None
) -> int:
    """Revoke the user's live sessions: only `sid` when given, all but `except_sid` when given."""
    query = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if sid is not None:
        query = query.where(LoginSession.sid == sid)
    if except_sid is not None:
        query = query.where(LoginSession.sid != except_sid)
    result = db.session.execute(
        query.values(revoked_at=now).execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def purge_expired_sessions(*, now: datetime) -> int:
    result = db.session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    return _rowcount(result)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
