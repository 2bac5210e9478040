"""An import killed mid-way (kill -9) loses at most its batch in flight; a re-run finishes it."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from config import database_url
from tests.support.processes import child_env
from tests.support.simulator import REPO_ROOT

ROWS = 10_000  # ten batches: the kill, once two have committed, comes well before the last
BATCH = 1_000
DEADLINE_S = 120.0
COLUMNS = ("external_id", "title", "format", "length", "release_year", "rating", "genres")


def _write_file(path):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number in range(ROWS):
            genres = "Drama|War" if number % 2 else "Comedy"
            writer.writerow((f"k{number}", f"Movie {number}", "DVD", 90, 2000, 3, genres))


def _import_command(path):
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "catalog", "import", str(path)]
    return [*command, "--batch-size", str(BATCH)]


def _counts(engine):
    with engine.connect() as connection:
        movies = connection.execute(text("SELECT count(*) FROM movies")).scalar_one()
        keys = connection.execute(
            text("SELECT count(DISTINCT external_id) FROM movies")
        ).scalar_one()
        links = connection.execute(text("SELECT count(*) FROM movie_genres")).scalar_one()
    return movies, keys, links


def _kill_after_some_batches(path, env, engine):
    process = subprocess.Popen(_import_command(path), cwd=REPO_ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + DEADLINE_S
    try:
        while _counts(engine)[0] < 2 * BATCH:
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "no batch committed within the deadline"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=DEADLINE_S)


def test_a_killed_import_run_again_gives_the_whole_catalog_once(isolated_app, tmp_path):
    url = isolated_app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(database_url(url))
    path = tmp_path / "catalog.csv"
    _write_file(path)
    env = child_env({"DATABASE_URL": url})
    try:
        _kill_after_some_batches(path, env, engine)
        movies, keys, links = _counts(engine)
        assert 0 < movies < ROWS and movies % BATCH == 0  # whole batches, none in part
        assert links == movies // 2 * 3 + movies % 2  # each committed movie with its genres
        rerun = subprocess.run(  # noqa: S603
            _import_command(path), cwd=REPO_ROOT, env=env, capture_output=True, text=True,
            timeout=DEADLINE_S, check=True,
        )  # fmt: skip
        assert f"{ROWS - movies} imported, {movies} updated, 0 rejected" in rerun.stdout
        assert _counts(engine) == (ROWS, ROWS, ROWS // 2 * 3)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM movies"))
        engine.dispose()
