"""An import killed mid-way (kill -9), then run again, gives the whole catalog once.

Into a catalog that has movies, the import goes batch by batch: the kill loses at most the
batch in flight. Into an empty one on Postgres it is one transaction (indexes dropped, then
made again): the kill loses all of it, and leaves every index and foreign key in place."""

from __future__ import annotations

import csv
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, inspect, text

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


def _schema_objects(engine):
    """The catalog's index and foreign key names, as a session other than the import's sees."""
    inspector = inspect(engine)
    return {
        table: (
            sorted(index["name"] for index in inspector.get_indexes(table)),
            sorted(key["name"] for key in inspector.get_foreign_keys(table)),
        )
        for table in ("movies", "movie_genres")
    }


def _kill_when(path, env, ready):
    process = subprocess.Popen(_import_command(path), cwd=REPO_ROOT, env=env)  # noqa: S603
    deadline = time.monotonic() + DEADLINE_S
    try:
        while not ready():
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import did not get there within the deadline"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=DEADLINE_S)


def _rerun(path, env):
    return subprocess.run(  # noqa: S603
        _import_command(path), cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        timeout=DEADLINE_S, check=True,
    ).stdout  # fmt: skip


def _seed_one_movie(path, env):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([COLUMNS, ("seed", "Seed", "VHS", 90, 2000, 3, "")])
    assert "1 imported" in _rerun(path, env)


def test_a_killed_import_run_again_gives_the_whole_catalog_once(isolated_app, tmp_path):
    url = isolated_app.config["SQLALCHEMY_DATABASE_URI"]
    engine = create_engine(database_url(url))
    path = tmp_path / "catalog.csv"
    _write_file(path)
    env = child_env({"DATABASE_URL": url})
    try:
        _seed_one_movie(tmp_path / "seed.csv", env)  # a catalog with movies: batch by batch
        _kill_when(path, env, lambda: _counts(engine)[0] > 2 * BATCH)
        movies, keys, links = _counts(engine)
        imported = movies - 1
        assert 0 < imported < ROWS and imported % BATCH == 0  # whole batches, none in part
        assert links == imported // 2 * 3 + imported % 2  # each one with its genres
        rerun = _rerun(path, env)
        assert f"{ROWS - imported} imported, {imported} updated, 0 rejected" in rerun
        assert _counts(engine) == (ROWS + 1, ROWS + 1, ROWS // 2 * 3)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM movies"))
        engine.dispose()


def _loading(engine):
    """The import's session is past its first batch: copying rows into the locked tables
    (or staging them, for a batch that upserts)."""
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity "
                "WHERE pid <> pg_backend_pid() AND datname = current_database() "
                "AND (query LIKE 'COPY movie%' OR query LIKE '%import_movies%'))"
            )
        ).scalar_one()


def test_a_killed_load_into_an_empty_catalog_leaves_it_empty_with_its_indexes(
    isolated_app, tmp_path
):
    url = isolated_app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the one-transaction load into an empty catalog is Postgres's")
    engine = create_engine(database_url(url))
    path = tmp_path / "catalog.csv"
    _write_file(path)
    env = child_env({"DATABASE_URL": url})
    before = _schema_objects(engine)
    try:
        _kill_when(path, env, lambda: _loading(engine))
        with engine.connect() as connection:  # waits for the killed session to roll back
            connection.execute(text("LOCK TABLE movies IN ACCESS EXCLUSIVE MODE"))
        assert _counts(engine) == (0, 0, 0)
        assert _schema_objects(engine) == before
        assert f"{ROWS} imported, 0 updated, 0 rejected" in _rerun(path, env)
        assert _counts(engine) == (ROWS, ROWS, ROWS // 2 * 3)
        assert _schema_objects(engine) == before
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM movies"))
        engine.dispose()
