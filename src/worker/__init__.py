"""The job queue (huey): built from QUEUE_URL per app, its tasks run in the app's context."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from prometheus_client import Gauge

from src.exports.queueing import set_export_enqueuer
from src.metrics import read_at_scrape
from src.worker.storage import QUEUE_ERRORS, huey_from_url
from src.worker.tasks import JobQueue, register_tasks

log = logging.getLogger(__name__)
_JOB_QUEUE = "job_queue"

QUEUE_DEPTH = Gauge(
    "queue_pending_jobs",
    "Jobs waiting in the queue, read at scrape time",
    multiprocess_mode="mostrecent",
)


def init_queue(app: Flask) -> None:
    """Build the queue for this app and register its tasks (the worker runs them)."""
    huey = huey_from_url(app.config["QUEUE_URL"])
    queue = register_tasks(app, huey)
    app.extensions[_JOB_QUEUE] = queue
    set_export_enqueuer(app, lambda export_id: _enqueue_export(queue, export_id))
    read_at_scrape(app, lambda: _read_queue_depth(queue))


def job_queue(app: Flask | None = None) -> JobQueue:
    """The app's queue (the current app's by default)."""
    queue: JobQueue = (app or current_app).extensions[_JOB_QUEUE]
    return queue


def _enqueue_export(queue: JobQueue, export_id: str) -> bool:
    try:
        queue.run_export(export_id)
    except QUEUE_ERRORS:
        log.warning("could not enqueue export %s; the reconciler will", export_id, exc_info=True)
        return False
    return True


def _read_queue_depth(queue: JobQueue) -> None:
    try:
        QUEUE_DEPTH.set(queue.huey.pending_count())
    except QUEUE_ERRORS:
        log.warning("queue depth unknown: the queue storage does not answer", exc_info=True)
