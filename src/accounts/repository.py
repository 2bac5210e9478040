"""Account queries. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, bindparam, delete, func, select, update

from src.accounts.models import LoginSession, User
from src.extensions import db
from src.revisions import REVISIONS


def find_by_username(*, username: str) -> User | None:
    # The database's lower(), as in the unique index on usernames.
    query = select(User).where(func.lower(User.username) == func.lower(username))
    return db.session.execute(query).scalar_one_or_none()


def get(*, user_id: int) -> User | None:
    return db.session.get(User, user_id)


def add(user: User) -> None:
    db.session.add(user)


def add_session(*, sid: str, user_id: int, refresh_jti: str, expires_at: datetime) -> None:
    db.session.add(
        LoginSession(sid=sid, user_id=user_id, refresh_jti=refresh_jti, expires_at=expires_at)
    )


_USERS, _SESSIONS = User.__table__.c, LoginSession.__table__.c
# Core columns, one statement built once: this runs on every request with a token.
_CALLER = (
    select(_USERS.username, _USERS.created_at, _SESSIONS.sid)
    .select_from(User.__table__)
    .outerjoin(
        LoginSession.__table__,
        and_(
            _SESSIONS.sid == bindparam("sid"),
            _SESSIONS.user_id == _USERS.id,
            _SESSIONS.revoked_at.is_(None),
        ),
    )
    .where(_USERS.id == bindparam("user_id"))
)


# The same, and the revision a view reads (its value and stamp, None if never bumped): a
# third primary-key lookup in the same round trip, instead of a statement of its own.
_CALLER_AND_REVISION = _CALLER.add_columns(REVISIONS.c.value, REVISIONS.c.stamp).outerjoin(
    REVISIONS, REVISIONS.c.name == bindparam("revision")
)


def caller(*, user_id: int, sid: str, revision: str | None = None) -> Row[Any] | None:
    """(username, created_at, sid) of the user, sid None unless its login session `sid`
    exists unrevoked; None when no such user. Two primary-key lookups, one round trip.
    With `revision`, the row also has that revision's (value, stamp)."""
    if revision is None:
        return db.session.execute(_CALLER, {"user_id": user_id, "sid": sid}).first()
    parameters = {"user_id": user_id, "sid": sid, "revision": revision}
    return db.session.execute(_CALLER_AND_REVISION, parameters).first()


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
