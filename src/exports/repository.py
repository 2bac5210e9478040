"""Export queries. Never commits: the service and the runner own the units of work."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Select, Update, and_, delete, or_, select, update

from src.accounts.models import User
from src.exports.models import PENDING, Export
from src.extensions import db


def add(export: Export) -> None:
    db.session.add(export)


def get(*, export_id: uuid.UUID) -> Export | None:
    return db.session.get(Export, export_id)


def visible_to(*, user_id: int | None) -> Select[Export]:
    """Exports newest first: a user's own, or every export when user_id is None (admins)."""
    statement = select(Export).order_by(Export.created_at.desc(), Export.id.desc())
    if user_id is not None:
        statement = statement.where(Export.requested_by == user_id)
    return statement


def lock_requester(*, user_id: int) -> None:
    """Hold the user's row until the commit: one user's export requests queue up here, so that
    each counts the others' committed rows (Postgres; SQLite's transactions are serial)."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def pending_of(*, user_id: int) -> list[tuple[str, datetime]]:
    """(status, not_before) of the user's queued and running exports."""
    query = select(Export.status, Export.not_before).where(
        Export.requested_by == user_id, Export.status.in_(PENDING)
    )
    return [(row.status, row.not_before) for row in db.session.execute(query)]


def find_daily(*, kind: str, since: datetime, until: datetime) -> Export | None:
    query = select(Export).where(
        Export.requested_by.is_(None),
        Export.kind == kind,
        Export.since == since,
        Export.until == until,
    )
    return db.session.execute(query).scalar_one_or_none()


def claim(
    *, export_id: uuid.UUID, now: datetime, lease_until: datetime, max_attempts: int
) -> int | None:
    """Take the export for one attempt; the attempt number, or None if it is not to be run."""
    claimable = or_(
        Export.status == "queued",
        and_(Export.status == "running", Export.lease_expires_at < now),
    )
    statement = (
        update(Export)
        .where(Export.id == export_id, Export.attempts < max_attempts, claimable)
        .values(
            status="running",
            attempts=Export.attempts + 1,
            lease_expires_at=lease_until,
            started_at=now,
            updated_at=now,
        )
        .returning(Export.attempts)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).scalar_one_or_none()


def _changed(statement: Update) -> bool:
    result = cast(CursorResult[Any], db.session.execute(statement))
    return bool(result.rowcount)


def _fenced(export_id: uuid.UUID, attempt: int) -> Update:
    """An update that only the holder of this attempt's lease can make."""
    return (
        update(Export)
        .where(Export.id == export_id, Export.attempts == attempt, Export.status == "running")
        .execution_options(synchronize_session=False)
    )


def renew_lease(*, export_id: uuid.UUID, attempt: int, lease_until: datetime) -> Update:
    """The statement that extends the lease (run in its own short transaction)."""
    return _fenced(export_id, attempt).values(lease_expires_at=lease_until)


def finish(*, export_id: uuid.UUID, attempt: int, now: datetime, row_count: int, file: str) -> bool:
    """Mark the attempt succeeded; False if this attempt no longer holds the lease."""
    values: dict[str, Any] = {
        "status": "succeeded",
        "row_count": row_count,
        "file": file,
        "error": None,
        "lease_expires_at": None,
        "finished_at": now,
        "updated_at": now,
    }
    return _changed(_fenced(export_id, attempt).values(**values))


def retry_later(
    *, export_id: uuid.UUID, attempt: int, now: datetime, retry_at: datetime, error: str
) -> bool:
    """Put the export back in the queue state, due at retry_at, with this attempt's error."""
    values = {
        "status": "queued",
        "error": error,
        "lease_expires_at": None,
        "not_before": retry_at,
        "updated_at": now,
    }
    return _changed(_fenced(export_id, attempt).values(**values))


def fail(*, export_id: uuid.UUID, attempt: int, now: datetime, error: str) -> bool:
    """Give up: the export is failed with its last error."""
    values = {
        "status": "failed",
        "error": error,
        "lease_expires_at": None,
        "finished_at": now,
        "updated_at": now,
    }
    return _changed(_fenced(export_id, attempt).values(**values))


def expired_leases(*, now: datetime) -> list[Export]:
    """Running exports whose worker stopped renewing the lease (killed, or stuck)."""
    query = select(Export).where(Export.status == "running", Export.lease_expires_at < now)
    return list(db.session.execute(query.with_for_update(skip_locked=True)).scalars())


def overdue_queued(*, due_before: datetime) -> list[Export]:
    """Queued exports whose message should have run by now but has not (lost, or never sent)."""
    query = select(Export).where(Export.status == "queued", Export.not_before < due_before)
    return list(db.session.execute(query.with_for_update(skip_locked=True)).scalars())


def mark_purged(*, finished_before: datetime, now: datetime) -> int:
    """Stamp purged_at on exports that finished before the cut-off (their files are to go)."""
    statement = (
        update(Export)
        .where(
            Export.status.not_in(PENDING),
            Export.purged_at.is_(None),
            Export.finished_at < finished_before,
        )
        .values(purged_at=now, file=None)
        .execution_options(synchronize_session=False)
    )
    result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount)


def forget_purged(*, purged_before: datetime) -> int:
    """Delete the tombstones of exports purged before the cut-off; how many."""
    statement = delete(Export).where(Export.purged_at < purged_before)
    result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount)


def unpurged_among(*, export_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these ids belong to exports whose files are kept (not purged, not deleted)."""
    query = select(Export.id).where(Export.id.in_(export_ids), Export.purged_at.is_(None))
    return set(db.session.execute(query).scalars())
