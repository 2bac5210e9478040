"""How exports reach the queue: the app's queue hands in its enqueue function at init, so
that exports never import the worker (whose tasks import exports)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

ExportEnqueuer = Callable[[str], bool]
_ENQUEUER = "export_enqueuer"


def set_export_enqueuer(app: Flask, enqueue: ExportEnqueuer) -> None:
    """The function that asks a worker to run an export; False when the queue refused."""
    app.extensions[_ENQUEUER] = enqueue


def enqueue_export(*, export_id: str) -> bool:
    """Ask a worker to run the export (through the app's queue); False when the queue refused
    (the reconciler retries)."""
    enqueue: ExportEnqueuer = current_app.extensions[_ENQUEUER]
    return enqueue(export_id)
