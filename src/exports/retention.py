"""Retention: an export's file lives EXPORT_RETENTION_DAYS after it finished, its row as long
again as a tombstone (status "purged", download 410 Gone), then neither is kept."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app

from src.exports import files, repository
from src.extensions import db

log = logging.getLogger(__name__)
_IDS_PER_QUERY = 500  # well under SQLite's limit of bound parameters


@dataclass(frozen=True)
class PurgeReport:
    purged: int  # exports whose files went, now tombstones
    files_removed: int  # files deleted from EXPORT_DIR (finished, part, orphaned)
    forgotten: int  # tombstones deleted


def purge_expired_exports(*, now: datetime) -> PurgeReport:
    """Purge what retention no longer keeps; safe to run at any time, and twice at once."""
    keep = timedelta(days=current_app.config["EXPORT_RETENTION_DAYS"])
    # The row first: from this commit on downloads answer 410, and none starts on a file
    # about to be deleted (one already streaming keeps its open file).
    purged = repository.mark_purged(finished_before=now - keep, now=now)
    db.session.commit()
    removed = _remove_unkept_files(Path(current_app.config["EXPORT_DIR"]))
    forgotten = repository.forget_purged(purged_before=now - keep)
    db.session.commit()
    report = PurgeReport(purged=purged, files_removed=removed, forgotten=forgotten)
    log.info("export retention: %s", report)
    return report


def _remove_unkept_files(directory: Path) -> int:
    """Delete the files of purged exports and of exports that no longer exist (a deleted
    user's); a file that cannot be deleted now is tried again on the next run."""
    found = list(files.export_files(directory))
    ids = sorted({export_id for export_id, _ in found})
    kept: set[uuid.UUID] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        kept |= repository.unpurged_among(export_ids=ids[start : start + _IDS_PER_QUERY])
    db.session.rollback()  # a read only: end it before the disk work
    removed = 0
    for export_id, path in found:
        if export_id in kept:
            continue
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.warning("could not delete export file %s; next run tries again", path.name)
            continue
        removed += 1
    return removed
