"""make bench-scale: a million movies imported with `flask catalog import`, then the queries.

The import runs as its own process into a freshly migrated database; its peak memory is the
kernel's high-water mark of that process (ru_maxrss from wait4, the same as VmHWM).
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import scale_floor
from bench.report import machine, measured_at, record, verdict
from bench.scale_data import write_catalog_file
from bench.server import run_flask
from bench.server_cpu import ServerCpu
from bench.stack import BenchSetupError, bench_database_url
from tests.support.processes import REPO_ROOT

MOVIES = int(os.environ.get("BENCH_SCALE_MOVIES", "1000000"))
TARGET_ROWS_PER_S = 20_000
TARGET_PEAK_MB = 200


@dataclass(frozen=True)
class ImportRun:
    rows: int
    seconds: float
    peak_mb: float
    cpu_s: float
    summary: str
    server_cpu_s: float | None = None

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds


def run_import(path: Path, env: dict[str, str]) -> ImportRun:
    """`flask catalog import path` as a child; its wall time and peak resident memory, and
    the CPU of the Postgres backends that served it when the server is on this machine."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "import", str(path)]
    url = env["DATABASE_URL"]
    started = time.monotonic()
    with ServerCpu(url, make_url(url).database or "") as server:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        output = process.stdout.read().decode()
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"the import failed ({process.returncode}): {output}")
    cpu_s = usage.ru_utime + usage.ru_stime
    summary = output.strip().splitlines()[0]
    peak_mb = usage.ru_maxrss / 1024
    return ImportRun(MOVIES, seconds, peak_mb, cpu_s, summary, server.seconds)


def fresh_database(url: str) -> dict[str, str]:
    from sqlalchemy import create_engine, text

    from config import database_url

    engine = create_engine(database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    env = {"DATABASE_URL": url}
    run_flask("db", "upgrade", env=env)
    return env


def report(run: ImportRun, url: str) -> str:
    met = run.rows_per_s >= TARGET_ROWS_PER_S and run.peak_mb < TARGET_PEAK_MB
    return "\n".join(
        [
            f"## Scale: {MOVIES:,} movies (`make bench-scale`)",
            "",
            f"Measured {measured_at()} on {machine(url)}.",
            "",
            "Import of a generated CSV (`bench/scale_data.py`, deterministic) with "
            "`flask --app wsgi catalog import` into a freshly migrated Postgres database: "
            "into this empty catalog all in one transaction, 10,000 rows a batch COPYed "
            "with FREEZE straight into the tables, the secondary indexes and foreign keys "
            "made after the load (src/catalog/empty_load.py).",
            "",
            "| figure | value | target |",
            "|---|---|---|",
            f"| rows/s (wall, whole command) | {run.rows_per_s:,.0f} | >= {TARGET_ROWS_PER_S:,} |",
            f"| time | {run.seconds:.1f} s | |",
            f"| CPU of the import process (user + system) | {run.cpu_s:.1f} s, "
            f"{run.cpu_s / run.rows * 1e6:.0f} µs a row | |",
            f"| CPU of the Postgres backends serving it | {_server_cpu(run)} | |",
            f"| peak memory (VmHWM) | {run.peak_mb:.0f} MB | < {TARGET_PEAK_MB} MB |",
            "",
            f"The command said: `{run.summary}`. Targets: {verdict(met)}. The machine is "
            "shared: the wall rate is bounded by the CPU it was given (load average above); the "
            "Postgres server's share of the work is not in the import process's CPU.",
        ]
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument(
        "--import-only",
        action="store_true",
        help="measure the import and print it: no queries, nothing recorded",
    )
    parser.add_argument(
        "--file",
        type=Path,
        help="the generated CSV to import, kept: written first when missing (it must hold "
        "BENCH_SCALE_MOVIES rows)",
    )
    return parser.parse_args(argv)


def imported(url: str, file: Path | None) -> ImportRun:
    """A fresh database and the import of the generated file (kept at `file` when given)."""
    env = fresh_database(url)
    if file is not None:
        if not file.exists():
            write_catalog_file(file, movies=MOVIES)
        return run_import(file, env)
    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "catalog.csv"
        write_catalog_file(path, movies=MOVIES)
        return run_import(path, env)


def _server_cpu(run: ImportRun) -> str:
    if run.server_cpu_s is None:
        return "not measured (the server is not on this machine)"
    return f"{run.server_cpu_s:.1f} s, {run.server_cpu_s / run.rows * 1e6:.0f} µs a row"


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    try:
        url = bench_database_url()
    except BenchSetupError as exc:
        print(exc, file=sys.stderr)
        return 2
    run = imported(url, options.file)
    text = report(run, url)
    if options.import_only:
        print(text)
        return 0
    text += "\n\n" + scale_floor.report(scale_floor.measure(url), import_s=run.seconds)
    try:
        queries = importlib.import_module("bench.scale_queries")
    except ModuleNotFoundError:
        queries = None
    if queries is not None:
        text += "\n\n" + str(queries.measure(url))
    print(text)
    print(f"written to {record('scale', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
