"""Account queries. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, delete, func, select, update

from src.accounts.models import LoginSession, User
from src.direct_reads import PreparedRead, direct_reads
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


class Caller(NamedTuple):
    """What the token check reads of its caller; value and stamp are the revision's."""

    username: str
    created_at: datetime
    sid: str | None  # None unless the login session exists unrevoked
    value: int | None = None  # None when the revision was never bumped
    stamp: int | None = None


_CALLER_READ = PreparedRead("token_check", _CALLER)
_CALLER_AND_REVISION_READ = PreparedRead("token_check_with_revision", _CALLER_AND_REVISION)


def caller(*, user_id: int, sid: str, revision: str | None = None) -> Caller | None:
    """The user and whether its login session `sid` is live; None when no such user. Two
    primary-key lookups (three with `revision`: that revision too), one round trip, on the
    direct connection where there is one (src/direct_reads.py), else in the session."""
    read = _CALLER_READ if revision is None else _CALLER_AND_REVISION_READ
    parameters = read.values({"user_id": user_id, "sid": sid, "revision": revision})
    reads = direct_reads()
    if reads is None:
        row: Any = db.session.execute(read.statement, parameters).first()
    else:
        row = reads.first(read, parameters)
    return None if row is None else Caller(*row)


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
