"""Running an export in a worker: claim it, stream it to a file, then finish, retry or fail."""

from __future__ import annotations

import csv
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from src import dialects
from src.columns import utcnow
from src.exports import content, files, repository
from src.extensions import db

log = logging.getLogger(__name__)

# Failures worth another attempt: the disk, the database, the CSV writer. Anything else is a
# bug: it propagates to huey's log, and the lease expiry brings the export back (bounded).
EXPORT_FAILURES: tuple[type[Exception], ...] = (OSError, SQLAlchemyError, csv.Error)


class LeaseLost(RuntimeError):
    """Another attempt took the export over; this one must stop and leave no trace."""


@dataclass(frozen=True)
class RunSettings:
    export_dir: Path
    max_attempts: int
    retry_base_s: float
    lease_s: float
    batch_rows: int
    statement_timeout_ms: int

    @classmethod
    def from_config(cls, config: Any) -> RunSettings:
        return cls(
            export_dir=Path(config["EXPORT_DIR"]),
            max_attempts=config["EXPORT_MAX_ATTEMPTS"],
            retry_base_s=config["EXPORT_RETRY_BASE_S"],
            lease_s=config["EXPORT_LEASE_S"],
            batch_rows=config["EXPORT_BATCH_ROWS"],
            statement_timeout_ms=config["EXPORT_STATEMENT_TIMEOUT_MS"],
        )


class Heartbeat:
    """Called after each written row: renews the lease well before it runs out."""

    def __init__(self, *, export_id: uuid.UUID, attempt: int, settings: RunSettings) -> None:
        self.export_id, self.attempt, self.settings = export_id, attempt, settings
        self.next_renewal = time.monotonic() + settings.lease_s / 3

    def __call__(self, row_count: int) -> None:
        if time.monotonic() >= self.next_renewal:
            self.renew()

    def renew(self) -> None:
        lease_until = utcnow() + timedelta(seconds=self.settings.lease_s)
        statement = repository.renew_lease(
            export_id=self.export_id, attempt=self.attempt, lease_until=lease_until
        )
        # Its own short transaction, beside the long read of the export's rows.
        with db.engine.begin() as connection:
            renewed = connection.execute(statement).rowcount
        if not renewed:
            raise LeaseLost(f"export {self.export_id} attempt {self.attempt} lost its lease")
        self.next_renewal = time.monotonic() + self.settings.lease_s / 3


def run_export(*, export_id: uuid.UUID) -> float | None:
    """Run one attempt of an export; the seconds until a retry is due, or None."""
    settings = RunSettings.from_config(current_app.config)
    attempt = _claim(export_id, settings)
    if attempt is None:
        log.info("export %s is not to be run (done, running elsewhere or gone)", export_id)
        return None
    try:
        _produce(export_id, attempt, settings)
    except LeaseLost:
        db.session.rollback()
        log.warning("export %s attempt %s was taken over; stopped", export_id, attempt)
        return None
    except EXPORT_FAILURES as exc:
        db.session.rollback()
        log.warning("export %s attempt %s failed", export_id, attempt, exc_info=exc)
        return _after_failure(export_id, attempt, exc, settings)
    return None


def _claim(export_id: uuid.UUID, settings: RunSettings) -> int | None:
    now = utcnow()
    attempt = repository.claim(
        export_id=export_id,
        now=now,
        lease_until=now + timedelta(seconds=settings.lease_s),
        max_attempts=settings.max_attempts,
    )
    db.session.commit()
    return attempt


def _produce(export_id: uuid.UUID, attempt: int, settings: RunSettings) -> None:
    export = repository.get(export_id=export_id)
    if export is None:
        raise LeaseLost(f"export {export_id} was deleted")
    kind, since, until = export.kind, export.since, export.until
    directory = settings.export_dir
    directory.mkdir(parents=True, exist_ok=True)
    files.remove_parts(directory, export_id)
    part = files.part_path(directory, export_id, attempt)
    row_count = _write(
        part,
        kind=kind,
        since=since,
        until=until,
        settings=settings,
        heartbeat=Heartbeat(export_id=export_id, attempt=attempt, settings=settings),
    )
    db.session.rollback()  # end the long read: the finish is a short write of its own
    try:
        _finish(export_id, attempt, row_count, part, directory)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _write(
    part: Path,
    *,
    kind: str,
    since: datetime,
    until: datetime,
    settings: RunSettings,
    heartbeat: Heartbeat,
) -> int:
    # The API's short statement timeout does not suit a bulk read; this transaction's does.
    dialects.allow_long_statements(timeout_ms=int(settings.statement_timeout_ms))
    if kind == "prices":
        query = content.price_rows_query(since=since, until=until)
    else:
        query = content.catalog_rows_query(since=since, until=until)
    # A server-side cursor on Postgres: batches of rows, never the whole result in memory.
    rows = db.session.execute(query.execution_options(yield_per=settings.batch_rows))
    records = content.price_records(rows) if kind == "prices" else content.catalog_records(rows)
    try:
        return files.write_part(
            part, header=content.header(kind), records=records, on_row=heartbeat
        )
    finally:
        rows.close()


def _finish(
    export_id: uuid.UUID, attempt: int, row_count: int, part: Path, directory: Path
) -> None:
    name = files.final_name(export_id)
    finished = repository.finish(
        export_id=export_id, attempt=attempt, now=utcnow(), row_count=row_count, file=name
    )
    if not finished:
        raise LeaseLost(f"export {export_id} attempt {attempt} lost its lease before finishing")
    # The row is locked by the update until the commit, so no other attempt renames meanwhile.
    files.publish(part, directory / name)
    db.session.commit()
    log.info("export %s succeeded on attempt %s with %s rows", export_id, attempt, row_count)


def _after_failure(
    export_id: uuid.UUID, attempt: int, exc: Exception, settings: RunSettings
) -> float | None:
    now, error = utcnow(), describe_failure(exc, attempt)
    if attempt >= settings.max_attempts:
        repository.fail(export_id=export_id, attempt=attempt, now=now, error=error)
        db.session.commit()
        log.error("export %s failed for good after %s attempts", export_id, attempt)
        return None
    delay = settings.retry_base_s * 2 ** (attempt - 1)
    retry_at = now + timedelta(seconds=delay)
    queued = repository.retry_later(
        export_id=export_id, attempt=attempt, now=now, retry_at=retry_at, error=error
    )
    db.session.commit()
    return delay if queued else None


def describe_failure(exc: Exception, attempt: int) -> str:
    """What the requester may read: the kind of failure, not paths or SQL (those are logged)."""
    if isinstance(exc, OSError):
        reason = f"could not write the export file ({exc.__class__.__name__})"
    elif isinstance(exc, SQLAlchemyError):
        reason = f"the database failed while reading the data ({exc.__class__.__name__})"
    else:
        reason = f"the CSV could not be written ({exc.__class__.__name__})"
    return f"attempt {attempt}: {reason}"
