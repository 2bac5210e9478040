"""The queue's tasks and periodic tasks; each runs inside the app's context."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from huey import Huey, crontab
from huey.api import TaskWrapper

from src.accounts import service as accounts_service
from src.columns import utcnow
from src.exports import retention, runner
from src.exports import service as exports_service
from src.pricing import refresh

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobQueue:
    """The app's huey and the task wrappers its code enqueues."""

    huey: Huey
    run_export: TaskWrapper
    reconcile: Callable[[], None]


def register_tasks(app: Flask, huey: Huey) -> JobQueue:
    """Register every task on this app's huey; the wrappers are what code enqueues."""
    run_export = _export_task(app, huey)
    reconcile = _export_periodic_tasks(app, huey, run_export)
    _price_refresh_task(app, huey)
    _session_purge_task(app, huey)
    return JobQueue(huey=huey, run_export=run_export, reconcile=reconcile)


def _session_purge_task(app: Flask, huey: Huey) -> TaskWrapper:
    """Daily: forget login sessions whose tokens have all expired (the table stays small)."""

    def purge_sessions() -> None:
        removed = accounts_service.purge_expired_sessions(now=utcnow())
        log.info("purged %d expired login sessions", removed)

    job = in_app_context(app, purge_sessions)
    return register_periodic(huey, crontab(minute="17", hour="3"), "accounts.purge", job)


def _price_refresh_task(app: Flask, huey: Huey) -> TaskWrapper:
    """At each tick of huey's scheduler (when the worker starts, then every 60 s): refresh
    the prices unless this interval of PRICE_REFRESH_S was refreshed already, by any worker."""

    def refresh_prices() -> None:
        refresh.refresh_if_due()

    job = in_app_context(app, refresh_prices)
    return register_periodic(huey, crontab(minute="*"), "prices.refresh", job)


def _export_task(app: Flask, huey: Huey) -> TaskWrapper:
    def run_export(export_id: str) -> None:
        with app.app_context():
            retry_in = runner.run_export(export_id=uuid.UUID(export_id))
        if retry_in is not None:
            log.info("export %s: next attempt in %.1f s", export_id, retry_in)
            task.schedule(args=(export_id,), delay=retry_in)

    task: TaskWrapper = huey.task(name="exports.run")(run_export)
    return task


def _export_periodic_tasks(app: Flask, huey: Huey, run_export: TaskWrapper) -> Callable[[], None]:
    """The reconciler (every minute), the daily export and the retention purge; returns the
    reconciler."""

    def reconcile_exports() -> None:
        with app.app_context():
            export_ids = exports_service.reconcile()
        for export_id in export_ids:
            run_export(str(export_id))

    def daily_export() -> None:
        with app.app_context():
            export = exports_service.create_daily_export()
            export_id = str(export.id) if export else None
        if export_id:
            run_export(export_id)

    hour, minute = app.config["EXPORT_DAILY_AT"]
    register_periodic(huey, crontab(minute="*"), "exports.reconcile", reconcile_exports)
    register_periodic(
        huey, crontab(minute=str(minute), hour=str(hour)), "exports.daily", daily_export
    )
    _export_purge_task(app, huey)
    return reconcile_exports


def _export_purge_task(app: Flask, huey: Huey) -> TaskWrapper:
    """Hourly: delete the files (then the rows) that EXPORT_RETENTION_DAYS no longer keeps."""

    def purge_exports() -> None:
        retention.purge_expired_exports(now=utcnow())

    job = in_app_context(app, purge_exports)
    return register_periodic(huey, crontab(minute="41"), "exports.purge", job)


def register_periodic(
    huey: Huey, schedule: Callable[..., bool], name: str, job: Callable[[], None]
) -> TaskWrapper:
    """Run job on schedule (huey's scheduler checks once a minute, in UTC)."""
    wrapper: TaskWrapper = huey.periodic_task(schedule, name=name)(job)
    return wrapper


def in_app_context(app: Flask, job: Callable[[], object]) -> Callable[[], None]:
    """A job that runs inside the app's context (database session, config)."""

    def run() -> None:
        with app.app_context():
            job()

    run.__name__ = getattr(job, "__name__", "job")
    return run
