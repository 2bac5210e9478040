"""The rows of an import file, each validated by the API's own MovieCreateSchema.

A CSV file has a header naming its columns (the API's field names and `external_id`); its
values are text, so each is first converted to the type the schema's field takes ("120" to
120, "Drama|War" to a list, an empty cell to no value) and the schema then judges it as it
judges a request; most rows get that same result straight from their cells, by checks
compiled from the schema's fields (src/catalog/cell_checks.py). A JSON Lines file has one
JSON object a line, judged as sent.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NamedTuple

from marshmallow import ValidationError, fields

from src.catalog.cell_checks import INTEGER, LIST_ESCAPE, LIST_SEPARATOR, cells_of
from src.catalog.models import EXTERNAL_ID_MAX
from src.catalog.row_checks import RowChecks, Unsure
from src.catalog.schemas import MovieCreateSchema

FORMATS = ("csv", "jsonl")
EXTERNAL_ID = "external_id"
_SCHEMA = MovieCreateSchema()
_CHECKS = RowChecks(_SCHEMA)
COLUMNS = (EXTERNAL_ID, *_SCHEMA.fields)
_REQUIRED = tuple(name for name, field in _SCHEMA.fields.items() if field.required)
Column = tuple[str, Callable[[str], Any], bool]  # a name, its text's conversion, null when empty


class ImportFileError(Exception):
    """The file cannot be imported at all (its header, its format); nothing was read."""


class Movie(NamedTuple):  # a tuple: a million of them are made at the cost of a few
    """A valid row: what MovieCreateSchema loaded, and the row's external_id."""

    line: int
    external_id: str | None
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reject:
    """A row that is not imported: where it starts in the file, why, and the row as read."""

    line: int
    problem: str
    record: str


@dataclass
class Source:
    """An opened import file: its text, its format, and the bytes read so far of its total."""

    text: IO[str]
    binary: IO[bytes]
    file_format: str
    total_bytes: int | None

    def close(self) -> None:
        self.text.close()
        if self.binary is not sys.stdin.buffer:
            self.binary.close()  # a GzipFile leaves the file it reads open

    def bytes_read(self) -> int:
        try:
            return self.binary.tell()
        except (OSError, ValueError):
            return 0


def file_format_of(path: str, given: str | None) -> str:
    """The format given, else the one the name says (.csv, .jsonl, either with .gz)."""
    if given is not None:
        return given
    name = path.removesuffix(".gz")
    for known in FORMATS:
        if name.endswith(f".{known}"):
            return known
    raise ImportFileError(
        f"Cannot tell the format of {path!r}: name it .csv or .jsonl, or give --format."
    )


def open_source(path: str, given_format: str | None) -> Source:
    """The file at path (`-` is standard input), decompressed when it is gzip."""
    if path == "-":
        if given_format is None:
            raise ImportFileError("Reading standard input: give --format csv or jsonl.")
        binary: IO[bytes] = sys.stdin.buffer
        total = None
    else:
        binary = Path(path).open("rb")  # noqa: SIM115 (closed with the Source's text)
        total = Path(path).stat().st_size
    file_format = file_format_of(path, given_format)
    if not hasattr(binary, "peek"):
        binary = io.BufferedReader(binary)  # type: ignore[type-var]
    head = binary.peek(2)[:2]
    stream: IO[bytes] = binary
    if head == b"\x1f\x8b":
        stream = gzip.GzipFile(fileobj=binary)  # type: ignore[assignment]
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    return Source(text=text, binary=binary, file_format=file_format, total_bytes=total)


def read_rows(source: Source) -> Iterator[Movie | Reject]:
    """Every row of the source, valid or not, in file order."""
    if source.file_format == "csv":
        return _csv_rows(source.text)
    return _jsonl_rows(source.text)


def _csv_rows(text: IO[str]) -> Iterator[Movie | Reject]:
    reader = csv.reader(text)
    rows = CsvRows(_check_header(next(reader, None)))
    width = len(rows.header)
    line = reader.line_num + 1
    for values in reader:
        if len(values) != width:
            yield Reject(line, f"{len(values)} values for {width} columns", _as_csv(values))
        else:
            yield rows.movie(line, values)
        line = reader.line_num + 1


class CsvRows:
    """What the rows under one CSV header are: each cell converted to its field's type and
    the row judged as the API judges a request, or, for most rows, the same result straight
    from the cells (src/catalog/cell_checks.py)."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self._columns = [_column(name) for name in header]
        null_when_empty = {name: empty for name, _, empty in self._columns}
        self.fast = cells_of(
            _SCHEMA,
            header,
            null_when_empty=null_when_empty.__getitem__,
            others={EXTERNAL_ID: _external_id_cell},
        )

    def movie(self, line: int, values: list[str]) -> Movie | Reject:
        if self.fast is None:
            return self.judged(line, values)
        try:
            loaded = self.fast(values)
        except Unsure:
            return self.judged(line, values)
        return Movie(line, loaded.pop(EXTERNAL_ID, None), loaded)

    def judged(self, line: int, values: list[str]) -> Movie | Reject:
        row: dict[str, Any] = {}
        for (name, convert, null_when_empty), value in zip(self._columns, values, strict=True):
            if value:
                row[name] = convert(value)
            elif null_when_empty:
                row[name] = None
        verdict = judge(row)
        if isinstance(verdict, tuple):
            return Movie(line, *verdict)
        return Reject(line, verdict, _as_csv(values))


def _external_id_cell(text: str) -> str | None:
    external_id = text.strip()
    if len(external_id) > EXTERNAL_ID_MAX:
        raise Unsure  # judge() says why
    return external_id or None


def _check_header(header: list[str] | None) -> list[str]:
    if not header:
        raise ImportFileError("The CSV file is empty: its first line must name the columns.")
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise ImportFileError(f"Unknown column(s) {unknown}; the columns are {list(COLUMNS)}.")
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise ImportFileError(f"Missing required column(s) {missing}.")
    if len(set(names)) != len(names):
        raise ImportFileError("A column is named twice in the header.")
    return names


def _as_csv(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(values)
    return buffer.getvalue()


def _column(name: str) -> Column:
    """A column's name, how its text becomes the type its field takes, and whether an empty
    cell is null (an optional field) or left out (a required one, which the schema then
    says is missing, and `genres`, whose default is no genre)."""
    field = _SCHEMA.fields.get(name)
    null_when_empty = field is not None and not field.required and name != "genres"
    if isinstance(field, fields.Integer):
        return name, _integer, null_when_empty
    if isinstance(field, fields.Float):
        return name, _float, null_when_empty
    if isinstance(field, fields.List):
        return name, _split, null_when_empty
    return name, str, null_when_empty


def _integer(value: str) -> int | str:
    return int(value) if INTEGER.fullmatch(value.strip()) else value


def _float(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value  # the schema says what is wrong with it


def _split(value: str) -> list[str]:
    """A list cell's parts: `|` separates them, `\\|` is a `|` inside one and `\\\\` a
    backslash (a backslash before anything else is itself)."""
    if LIST_ESCAPE not in value:
        return value.split(LIST_SEPARATOR)
    parts, part = [], []
    characters = iter(value)
    for character in characters:
        if character == LIST_ESCAPE:
            following = next(characters, "")
            escaped = following in (LIST_SEPARATOR, LIST_ESCAPE)
            part.append(following if escaped else character + following)
        elif character == LIST_SEPARATOR:
            parts.append("".join(part))
            part = []
        else:
            part.append(character)
    parts.append("".join(part))
    return parts


def list_cell(parts: list[str]) -> str:
    """The cell _split reads back as these parts (the export's `genres`)."""
    return LIST_SEPARATOR.join(
        part.replace(LIST_ESCAPE, LIST_ESCAPE * 2).replace(
            LIST_SEPARATOR, LIST_ESCAPE + LIST_SEPARATOR
        )
        for part in parts
    )


def _jsonl_rows(text: IO[str]) -> Iterator[Movie | Reject]:
    for line, raw in enumerate(text, start=1):
        record = raw.rstrip("\r\n")
        if not record.strip():
            continue
        try:
            row = json.loads(record)
        except ValueError as exc:
            yield Reject(line, f"not JSON: {exc}", record)
            continue
        if not isinstance(row, dict):
            yield Reject(line, "a line must hold one JSON object", record)
            continue
        verdict = judge(row)
        yield Movie(line, *verdict) if isinstance(verdict, tuple) else Reject(line, verdict, record)


def judge(row: dict[str, Any]) -> tuple[str | None, dict[str, Any]] | str:
    """The row as the API would take it (its external_id and fields), or why not."""
    external_id = row.pop(EXTERNAL_ID, None)
    if external_id is not None and (
        not isinstance(external_id, str) or len(external_id.strip()) > EXTERNAL_ID_MAX
    ):
        return f"external_id: a string of at most {EXTERNAL_ID_MAX} characters"
    try:
        loaded = _CHECKS.load(row)
    except Unsure:
        try:
            loaded = _SCHEMA.load(row)
        except ValidationError as exc:
            return _problem(exc)
    return (external_id or "").strip() or None, loaded


def _problem(exc: ValidationError) -> str:
    messages = exc.messages
    if isinstance(messages, dict):
        return "; ".join(f"{name}: {_flat(message)}" for name, message in messages.items())
    return _flat(messages)


def _flat(message: Any) -> str:
    if isinstance(message, list):
        return " ".join(_flat(part) for part in message)
    if isinstance(message, dict):
        return " ".join(f"{key}: {_flat(part)}" for key, part in message.items())
    return str(message)
