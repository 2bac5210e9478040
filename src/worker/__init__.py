"""The job queue (huey): built from QUEUE_URL per app, its tasks run in the app's context."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from huey import Huey
from huey.api import TaskWrapper

from src.worker.storage import QUEUE_ERRORS, huey_from_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobQueue:
    """The app's huey and the task wrappers its code enqueues."""

    huey: Huey
    run_export: TaskWrapper
    reconcile: Callable[[], None]


def init_queue(app: Flask) -> None:
    """Build the queue for this app and register its tasks (the worker runs them)."""
    from src.worker.tasks import register_tasks

    huey = huey_from_url(app.config["QUEUE_URL"])
    app.extensions["job_queue"] = register_tasks(app, huey)


def job_queue() -> JobQueue:
    queue: JobQueue = current_app.extensions["job_queue"]
    return queue


def enqueue_export(*, export_id: str) -> bool:
    """Ask a worker to run the export; False when the queue refused (the reconciler retries)."""
    try:
        job_queue().run_export(export_id)
    except QUEUE_ERRORS:
        log.warning("could not enqueue export %s; the reconciler will", export_id, exc_info=True)
        return False
    return True
