"""The SQL statements one request runs, as a test sees them: every cursor execution on any
engine of the process while the request is answered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
