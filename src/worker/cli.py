"""flask --app wsgi worker: the queue consumer."""

from __future__ import annotations

import logging
import signal
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer

from src.worker import job_queue


class GracefulConsumer(Consumer):
    """SIGTERM and SIGINT both let running tasks finish (up to the shutdown timeout);
    a second signal stops at once. An export cut short is run again after its lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, graceful_signal="TERM", **kwargs)
        self._signal_actions[signal.SIGINT] = (False, True)  # (restart, graceful)


def _log_like_the_app() -> None:
    """huey's own log lines go out as the app's JSON lines."""
    app_logger = logging.getLogger("src")
    huey_logger = logging.getLogger("huey")
    for handler in app_logger.handlers:
        if handler not in huey_logger.handlers:
            huey_logger.addHandler(handler)
    huey_logger.setLevel(app_logger.level)
    huey_logger.propagate = False


@click.command("worker")
@click.option(
    "--workers",
    "-w",
    type=click.IntRange(1, 64),
    default=None,
    help="Threads that run tasks (default QUEUE_WORKERS, 2).",
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not schedule periodic tasks (for extra workers beside one that does).",
)
@with_appcontext
def worker(workers: int | None, no_periodic: bool) -> None:
    """Run the queue consumer: exports, their retries and the periodic tasks."""
    config = current_app.config
    queue = job_queue()
    _log_like_the_app()
    # Pick up what a stopped worker left now, not at the next minute.
    queue.reconcile()
    consumer = GracefulConsumer(
        queue.huey,
        workers=workers or config["QUEUE_WORKERS"],
        worker_type="thread",
        periodic=not no_periodic,
        initial_delay=0.1,
        max_delay=1.0,  # an idle worker polls the SQLite queue at least once a second
        shutdown_timeout=config["QUEUE_SHUTDOWN_TIMEOUT_S"],
    )
    consumer.run()
