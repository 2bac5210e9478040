"""Export rules: who may see what, the window a request means, and the queue's bookkeeping."""

from __future__ import annotations

import logging
import math
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from src.accounts.principal import Principal
from src.columns import utcnow
from src.errors import AppError, Conflict, NotFound, ValidationFailed
from src.exports import repository
from src.exports.models import Export
from src.exports.queueing import enqueue_export
from src.extensions import db
from src.pagination import paginate

log = logging.getLogger(__name__)
DEFAULT_WINDOW = timedelta(hours=24)
FUTURE_TOLERANCE = timedelta(minutes=1)
# A running export may finish any moment: a client over its quota may look again this soon.
QUOTA_POLL_S = 5


class ExportQuotaExceeded(AppError):
    status, title = 429, "Too Many Requests"


class ExportPurged(AppError):
    status, title = 410, "Gone"


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(
        "The request has invalid fields; see errors.", errors={field: [message]}
    )


def resolve_window(
    *, since: datetime | None, until: datetime | None, now: datetime, max_days: int
) -> tuple[datetime, datetime]:
    """The [since, until) a request means: until defaults to now, since to 24 hours before until."""
    if until is not None and until > now + FUTURE_TOLERANCE:
        raise _invalid("until", "Must not be in the future.")
    end = until or now
    try:
        start = since or end - DEFAULT_WINDOW
    except OverflowError:  # until within a day of 0001-01-01: no 24 hours before it
        message = "Without since, until must be at least 24 hours after 0001-01-01."
        raise _invalid("until", message) from None
    if end <= start:
        if until is None:
            raise _invalid("since", "Must be before until (default: now).")
        raise _invalid("until", "Must be after 'since'.")
    if end - start > timedelta(days=max_days):
        raise _invalid("since", f"The window may span at most {max_days} days.")
    return start, end


def request_export(
    *, user: Principal, kind: str, since: datetime | None, until: datetime | None
) -> Export:
    """Record an export request, commit it, then hand it to the queue."""
    since, until = resolve_window(
        since=since,
        until=until,
        now=utcnow(),
        max_days=current_app.config["EXPORT_MAX_WINDOW_DAYS"],
    )
    _check_quota(user_id=user.id, limit=current_app.config["EXPORT_MAX_PENDING"], now=utcnow())
    export = Export(requested_by=user.id, kind=kind, since=since, until=until)
    repository.add(export)
    db.session.commit()
    # After the commit: if this process dies here, the reconciler finds the queued row.
    enqueue_export(export_id=str(export.id))
    return export


def _check_quota(*, user_id: int, limit: int, now: datetime) -> None:
    """Refuse a request beyond the user's EXPORT_MAX_PENDING queued or running exports."""
    repository.lock_requester(user_id=user_id)  # held until the commit that adds the export
    pending = repository.pending_of(user_id=user_id)
    if len(pending) < limit:
        return
    wait = quota_retry_after(pending=pending, now=now)
    raise ExportQuotaExceeded(
        f"You have {len(pending)} exports queued or running, the most allowed at once is "
        f"{limit}; request again once one has finished (GET /exports/ shows where they stand).",
        headers={"Retry-After": str(wait)},
    )


def quota_retry_after(*, pending: list[tuple[str, datetime]], now: datetime) -> int:
    """Seconds before a slot can free: soon while one runs or is due; else when the soonest
    one waiting out a retry back-off may start again (none can finish before that)."""
    if any(status == "running" or not_before <= now for status, not_before in pending):
        return QUOTA_POLL_S
    soonest = min(not_before for _, not_before in pending)
    return max(QUOTA_POLL_S, math.ceil((soonest - now).total_seconds()))


def get_export(*, user: Principal, export_id: uuid.UUID) -> Export:
    """One export the user may see (their own; admins any), or NotFound."""
    export = repository.get(export_id=export_id)
    if export is None or not (user.is_admin or export.requested_by == user.id):
        raise NotFound(f"No export with id {export_id}.")
    return export


def list_exports(*, user: Principal, page: int, page_size: int) -> dict[str, Any]:
    """One page of the user's exports (admins: everyone's), newest first."""
    statement = repository.visible_to(user_id=None if user.is_admin else user.id)
    return paginate(statement, page=page, page_size=page_size)


def export_file(*, user: Principal, export_id: uuid.UUID) -> tuple[Export, Path]:
    """The finished export and its file, or Conflict while it is not ready."""
    export = get_export(user=user, export_id=export_id)
    if export.purged_at is not None:
        days = current_app.config["EXPORT_RETENTION_DAYS"]
        raise ExportPurged(
            f"The export was purged at {export.purged_at.isoformat()}: files are kept {days} "
            "days after they finish. Request a new export."
        )
    if export.status != "succeeded" or not export.file:
        raise Conflict(f"The export is {export.status}; download it once it has succeeded.")
    path = Path(current_app.config["EXPORT_DIR"]) / export.file
    if not path.is_file():
        raise NotFound("The export's file is no longer available; request a new export.")
    return export, path


def download_name(export: Export) -> str:
    return f"movies-{export.kind}-{_stamp(export.since)}-{_stamp(export.until)}.csv"


def _stamp(instant: datetime) -> str:
    # %Y is not zero-padded below year 1000 on glibc: 0001-01-01 would read "10101".
    return f"{instant.year:04d}{instant:%m%dT%H%M%S}Z"


def reconcile() -> list[uuid.UUID]:
    """Exports to enqueue again: those whose worker died, and queued ones never picked up."""
    config, now = current_app.config, utcnow()
    again = []
    for export in repository.expired_leases(now=now):
        if export.attempts >= config["EXPORT_MAX_ATTEMPTS"]:
            _give_up(export, now)
            continue
        export.status, export.lease_expires_at, export.not_before = "queued", None, now
        export.error = f"attempt {export.attempts}: the worker stopped before finishing"
        again.append(export.id)
    due_before = now - timedelta(seconds=config["EXPORT_REQUEUE_AFTER_S"])
    for export in repository.overdue_queued(due_before=due_before):
        export.not_before = now  # not again before another EXPORT_REQUEUE_AFTER_S
        again.append(export.id)
    db.session.commit()
    if again:
        log.info("reconciler re-enqueues %s export(s)", len(again))
    return again


def _give_up(export: Export, now: datetime) -> None:
    export.status, export.lease_expires_at, export.finished_at = "failed", None, now
    export.error = f"attempt {export.attempts}: the worker stopped before finishing; gave up"


def daily_window(*, now: datetime, at: tuple[int, int]) -> tuple[datetime, datetime] | None:
    """The 24 hours that end at the latest daily time (HH:MM UTC) not after now; None when
    the calendar has no such 24 hours (a clock within a day or two of 0001-01-01)."""
    until = datetime.combine(now.date(), time(*at), tzinfo=UTC)
    try:
        if until > now:
            until -= timedelta(days=1)
        return until - DEFAULT_WINDOW, until
    except OverflowError:
        return None


def create_daily_export(*, now: datetime | None = None) -> Export | None:
    """Make today's prices export once; None when it already exists (or cannot exist)."""
    now = now or utcnow()
    window = daily_window(now=now, at=current_app.config["EXPORT_DAILY_AT"])
    if window is None:
        log.error("the clock says %s: no 24 hours before it for the daily export", now)
        return None
    since, until = window
    if repository.find_daily(kind="prices", since=since, until=until) is not None:
        return None
    export = Export(requested_by=None, kind="prices", since=since, until=until)
    repository.add(export)
    try:
        db.session.commit()
    except IntegrityError:  # another worker made it at the same moment
        db.session.rollback()
        return None
    return export
