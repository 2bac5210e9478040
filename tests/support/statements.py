"""The SQL statements one request runs, as a test sees them: every cursor execution on any
engine of the process while the request is answered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from src.extensions import db


def get_recording_statements(client: Any, path: str, headers: dict[str, str]) -> tuple[Any, list]:
    """The response to one GET, and the statements it ran."""
    statements: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return response, statements


@contextmanager
def app_engine_events(app: Flask, name: str, argument: int) -> Iterator[list[Any]]:
    """Each `name` event of the app's engine while the block runs, as the listener's
    `argument`-th positional argument (a checkout's DBAPI connection: 0; a statement: 2)."""
    seen: list[Any] = []
    with app.app_context():
        engine = db.engine

    def note(*args: Any) -> None:
        seen.append(args[argument])

    event.listen(engine, name, note)
    try:
        yield seen
    finally:
        event.remove(engine, name, note)
