"""Export files: written to a part file, synced, then renamed into place (one file an export)."""

from __future__ import annotations

import csv
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from src.exports.content import cell

# The names this module gives: <id>.csv, and .<id>.<attempt>.part while being written.
_EXPORT_FILE = re.compile(r"([0-9a-f-]{36})\.csv|\.([0-9a-f-]{36})\.\d+\.part", re.ASCII)


def final_name(export_id: uuid.UUID) -> str:
    """The file's name relative to EXPORT_DIR: the same for every attempt of one export."""
    return f"{export_id}.csv"


def part_path(directory: Path, export_id: uuid.UUID, attempt: int) -> Path:
    return directory / f".{export_id}.{attempt}.part"


def remove_parts(directory: Path, export_id: uuid.UUID) -> None:
    """Delete what earlier (killed) attempts of this export left half-written."""
    for leftover in directory.glob(f".{export_id}.*.part"):
        leftover.unlink(missing_ok=True)


def write_part(
    path: Path,
    *,
    header: Sequence[str],
    records: Iterable[Sequence[Any]],
    on_row: Callable[[int], None],
) -> int:
    """Write the CSV to path and fsync it; the number of data rows. Removes path on failure."""
    count = 0
    try:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for record in records:
                writer.writerow([cell(value) for value in record])
                count += 1
                on_row(count)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return count


def publish(part: Path, final: Path) -> None:
    """Atomically put the part file in place and make the rename durable."""
    os.replace(part, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def export_files(directory: Path) -> Iterator[tuple[uuid.UUID, Path]]:
    """Every file in directory named after an export (others are left alone), with its id."""
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        match = _EXPORT_FILE.fullmatch(path.name)
        if match is None:
            continue
        try:
            yield uuid.UUID(match[1] or match[2]), path
        except ValueError:
            continue
