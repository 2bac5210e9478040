"""flask --app wsgi catalog import|export: the catalog to and from CSV or JSON Lines files."""

from __future__ import annotations

import csv
import queue
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from src.catalog.bulk import Batch, Loader
from src.catalog.import_rows import (
    COLUMNS,
    FORMATS,
    ImportFileError,
    Movie,
    Reject,
    Source,
    list_cell,
    open_source,
    read_rows,
)
from src.catalog.models import Movie as CatalogMovie
from src.catalog.progress import Progress
from src.collector import collecting_for_bulk
from src.extensions import db

DEFAULT_BATCH = 10_000
PROGRESS_EVERY = 1_000  # rows between looks at the clock and the file's position
REJECT_COLUMNS = ("line", "problem", "record")


@click.group("catalog")
def catalog() -> None:
    """Import the catalog from a file, or export it to one."""


@dataclass
class Summary:
    read: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0

    def line(self) -> str:
        return (
            f"{self.read} row(s) read: {self.imported} imported, {self.updated} updated, "
            f"{self.rejected} rejected"
        )


class RejectsFile:
    """The rows not imported, with their line and problem; made at the first one."""

    def __init__(self, path: Path, stack: ExitStack) -> None:
        self.path = path
        self._stack = stack
        self._writer: Any = None
        path.unlink(missing_ok=True)  # what a previous run rejected is not this run's

    def add(self, reject: Reject) -> None:
        if self._writer is None:
            handle = self._stack.enter_context(self.path.open("w", newline="", encoding="utf-8"))
            self._writer = csv.writer(handle)
            self._writer.writerow(REJECT_COLUMNS)
        self._writer.writerow((reject.line, reject.problem, reject.record))


@catalog.command("import")
@with_appcontext
@click.argument("file")
@click.option("--format", "file_format", type=click.Choice(FORMATS), help="needed for -")
@click.option("--rejects", type=click.Path(dir_okay=False), help="default FILE.rejects.csv")
@click.option("--batch-size", default=DEFAULT_BATCH, type=click.IntRange(1), show_default=True)
def import_movies(file: str, file_format: str | None, rejects: str | None, batch_size: int) -> None:
    """Add or update (by external_id) the movies of a CSV or JSON Lines file; - is stdin."""
    rejects_path = Path(rejects or ("stdin" if file == "-" else file) + ".rejects.csv")
    with ExitStack() as stack:
        try:
            source = open_source(file, file_format)
            stack.callback(source.close)
            summary = _import(source, RejectsFile(rejects_path, stack), batch_size)
        except (ImportFileError, OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(summary.line())
    if summary.rejected:
        click.echo(f"rejected rows, with their line and problem: {rejects_path}")


def _import(source: Source, rejects: RejectsFile, batch_size: int) -> Summary:
    summary = Summary()
    progress = Progress(total_bytes=source.total_bytes)
    batch: list[Movie] = []
    with collecting_for_bulk(), BatchWriter(summary) as writer:
        for row in read_rows(source):
            summary.read += 1
            if isinstance(row, Reject):
                summary.rejected += 1
                rejects.add(row)
            else:
                batch.append(row)
                if len(batch) >= batch_size:
                    writer.write(batch)
                    batch = []
            if summary.read % PROGRESS_EVERY == 0:
                progress.show(rows=summary.read, bytes_read=source.bytes_read())
        writer.write(batch)
    progress.done(rows=summary.read)
    return summary


class BatchWriter:
    """Writes the batches on a thread of its own while the next is read and validated (the
    driver lets go of the GIL while the database works); one batch waits at most. A batch is
    made ready (its COPY text) on the reading thread, so the database has the next one to
    take as soon as it is done with this one. The thread keeps one app context, so one
    session, for the whole import (bulk.Loader may make it one transaction)."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary
        self._app = current_app._get_current_object()  # type: ignore[attr-defined]
        self._batches: queue.Queue[Batch | None] = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._loader: Loader | None = None
        self._started = threading.Event()  # the loader is made, or could not be
        self._thread = threading.Thread(target=self._run, name="catalog-import", daemon=True)

    def __enter__(self) -> BatchWriter:
        self._thread.start()
        self._started.wait()
        return self

    def __exit__(self, *_: object) -> None:
        self._batches.put(None)
        self._thread.join()
        self._raise_failure()

    def write(self, movies: list[Movie]) -> None:
        self._raise_failure()
        if movies and self._loader is not None:
            self._batches.put(self._loader.prepare(movies))

    def _run(self) -> None:
        with self._app.app_context():
            try:
                self._loader = Loader()
            except BaseException as exc:  # raised again in the reading thread, as it is
                self._failure = exc
                return
            finally:
                self._started.set()
            self._write_all(self._loader)

    def _write_all(self, loader: Loader) -> None:
        ended = False
        try:
            while (batch := self._batches.get()) is not None:
                result = loader.write(batch)
                self.summary.imported += result.imported
                self.summary.updated += result.updated
            ended = True
            loader.finish()
        except BaseException as exc:  # raised again in the reading thread, as it is
            self._failure = exc
            while not ended:  # nothing more is written; the reader stops at its next batch
                ended = self._batches.get() is None

    def _raise_failure(self) -> None:
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


@catalog.command("export")
@with_appcontext
@click.argument("file", type=click.File("w", encoding="utf-8", lazy=True))
def export_movies(file: IO[str]) -> None:
    """Write the whole catalog as CSV in the import's columns; - is stdout."""
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(COLUMNS)
    statement = select(CatalogMovie).order_by(CatalogMovie.created_at, CatalogMovie.id)
    count = 0
    for movie in db.session.scalars(statement.execution_options(yield_per=5000)):
        writer.writerow(_export_row(movie))
        count += 1
    click.echo(f"exported {count} movie(s)", err=True)


def _export_row(movie: CatalogMovie) -> list[Any]:
    values: dict[str, Any] = {name: getattr(movie, name) for name in COLUMNS if name != "genres"}
    values["genres"] = list_cell([genre.name for genre in movie.genres])
    if values["expiry_date"] is not None:
        values["expiry_date"] = values["expiry_date"].isoformat()
    return ["" if values[name] is None else values[name] for name in COLUMNS]
