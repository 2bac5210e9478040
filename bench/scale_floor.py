"""The server's share of the scale benchmark's import, alone: the floor of a one-transaction import.

After the import, the catalog it made is loaded again by the import's own statements
(src/catalog/empty_load.py and derived.py: the tables truncated, their secondary indexes and
foreign keys dropped, the movies and genre links COPYed with FREEZE, the words added, then
everything built again), in one transaction that is rolled back. The COPY text comes from
the server itself and reaches it in one stream a table: no file is read, no row checked, no
batch made between the statements. An import that, like this one, builds the catalog in one
transaction on one connection cannot take less than this on this server, however little its
client does: below it are only fewer or cheaper indexes and words, or work split across
connections (the backends' CPU beside the wall time shows how much more cores would give).

`python -m bench.scale_floor URL` measures a database that holds an imported catalog.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy.engine import make_url

from bench.server_cpu import ServerCpu
from config import database_url as driver_url

_LINK_COLUMNS = ("movie_id", "genre_id")


@dataclass(frozen=True)
class Floor:
    movies: int
    load_s: float
    build_s: float
    server_cpu_s: float | None

    @property
    def seconds(self) -> float:
        return self.load_s + self.build_s

    @property
    def rows_per_s(self) -> float:
        return self.movies / self.seconds


def measure(url: str) -> Floor:
    app = _app(url)
    with app.app_context(), tempfile.TemporaryDirectory() as workdir:
        movies_text, links_text = Path(workdir) / "movies", Path(workdir) / "links"
        movies = _copy_out(movies_text, links_text)
        with ServerCpu(url, make_url(url).database or "") as server:
            load_s, build_s = _load_again(movies_text, links_text)
    return Floor(movies, load_s, build_s, server.seconds)


def _app(url: str) -> Any:
    from src import create_app

    overrides = {"ACCESS_LOG": False, "RATELIMIT_ENABLED": False}
    return create_app({**overrides, "SQLALCHEMY_DATABASE_URI": driver_url(url)})


def _copy_out(movies_text: Path, links_text: Path) -> int:
    from src.catalog.bulk import COPIED_COLUMNS
    from src.extensions import db

    cursor = db.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with movies_text.open("w") as sink:
        cursor.copy_expert(f"COPY movies ({', '.join(COPIED_COLUMNS)}) TO STDOUT", sink)
    with links_text.open("w") as sink:
        cursor.copy_expert(f"COPY movie_genres ({', '.join(_LINK_COLUMNS)}) TO STDOUT", sink)
    db.session.rollback()
    with movies_text.open() as lines:
        return sum(1 for _ in lines)


def _load_again(movies_text: Path, links_text: Path) -> tuple[float, float]:
    """The load and the build, each timed; then rolled back."""
    from src.catalog import derived, empty_load
    from src.catalog.bulk import COPIED_COLUMNS
    from src.extensions import db

    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    connection.exec_driver_sql("TRUNCATE movies, movie_genres")  # its trigger empties the words
    started = time.perf_counter()
    load = empty_load.begin()
    if load is None:
        raise RuntimeError("the catalog could not be taken for a load into an empty catalog")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    freeze = " WITH (FREEZE)" if load.frozen else ""

    def copy_in(table: str, columns: tuple[str, ...], text: Path) -> None:
        with text.open() as source:
            cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN{freeze}", source)

    copy_in("movies", COPIED_COLUMNS, movies_text)
    derived.add_words(connection, str(UUID(int=0)), str(UUID(int=(1 << 128) - 1)))
    copy_in("movie_genres", _LINK_COLUMNS, links_text)
    loaded = time.perf_counter()
    empty_load.finish(load.rebuild, every_word=False)
    built = time.perf_counter()
    db.session.rollback()
    return loaded - started, built - loaded


def report(floor: Floor, import_s: float | None = None) -> str:
    cpu = "not measured" if floor.server_cpu_s is None else f"{floor.server_cpu_s:.1f} s"
    lines = [
        "The server alone (`bench/scale_floor.py`): the imported catalog loaded again by the "
        "import's own statements from COPY text the server wrote, with no client work between "
        "them, then rolled back: what a one-transaction import costs the server alone, the floor "
        "of the import's time on this machine.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| load: COPY of the movies and links, their words | {floor.load_s:.1f} s |",
        f"| build: indexes, foreign keys, words' key and counts, ANALYZE | {floor.build_s:.1f} s |",
        f"| whole, and rows/s | {floor.seconds:.1f} s, {floor.rows_per_s:,.0f} rows/s |",
        f"| CPU of the Postgres backends (parallel workers too) | {cpu} |",
    ]
    if import_s is not None:
        lines.append(f"| the import's own time, against it | {import_s / floor.seconds:.2f}x |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    print(report(measure(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
