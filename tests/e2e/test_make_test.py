"""`make test`'s runner, scripts/test.sh, as a newcomer meets it: on a throw-away Postgres
database when one answers locally (dropped afterwards, also after a failing or interrupted
run), and otherwise a line saying how to run the Postgres tests."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tests.conftest import POSTGRES_URL
from tests.support.simulator import REPO_ROOT, free_port
from tests.support.worker import wait_for

pytestmark = pytest.mark.e2e

RUN_LIMIT_S = 90
needs_postgres = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL")
# A suite of one test, run by the runner: it writes down the TEST_DATABASE_URL it was given,
# after connecting to it, then passes, fails or waits to be interrupted (its argument).
PROBE = """
import os, pathlib, time
import psycopg

def test_probe():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url:
        psycopg.connect(url).close()
    pathlib.Path({seen!r}).write_text(url)
    assert {outcome!r} != "fail"
    if {outcome!r} == "wait":
        time.sleep(60)
"""


def runner_env(**pg: str) -> dict[str, str]:
    """The environment a newcomer has: no TEST_DATABASE_URL, not CI, libpq's names as given.
    The probe needs none of the suite's plugins (their imports take seconds)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PG", "PYTEST_XDIST_"))  # nor this run's xdist worker's names
    }
    for name in ("TEST_DATABASE_URL", "CI", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    return env | pg | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}


def local_server() -> dict[str, str]:
    """PGHOST, PGPORT and PGUSER naming the test database's server."""
    url = make_url(POSTGRES_URL)
    return {"PGHOST": url.host or "", "PGPORT": str(url.port or 5432), "PGUSER": url.username or ""}


def runner(tmp_path: Path, outcome: str = "pass") -> tuple[list[str], Path]:
    """The command that runs the probe suite, and the file the probe writes its URL to."""
    seen = tmp_path / "seen"
    probe = tmp_path / "test_probe.py"
    probe.write_text(PROBE.format(seen=str(seen), outcome=outcome))
    return [
        "scripts/test.sh",
        "-p",
        "pytest_timeout",
        "-p",
        "xdist",  # the runner's workers
        "-p",
        "no:cacheprovider",
        "-q",
        str(probe),
    ], seen


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=RUN_LIMIT_S
    )


def databases_named(prefix: str) -> list[str]:
    engine = create_engine(POSTGRES_URL)
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT datname FROM pg_database WHERE starts_with(datname, :prefix)"),
            {"prefix": prefix},
        )
        found = sorted(names.scalars())
    engine.dispose()
    return found


def test_without_postgres_it_says_how_to_run_them_and_runs_sqlite_only(tmp_path):
    command, seen = runner(tmp_path)
    result = run(command, runner_env(PGPORT=str(free_port())))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/" in result.stdout
    assert seen.read_text() == ""


@needs_postgres
def test_a_set_test_database_url_is_used_unchanged(tmp_path):
    url = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(False)
    command, seen = runner(tmp_path)
    result = run(command, runner_env(PGPORT=str(free_port())) | {"TEST_DATABASE_URL": url})

    assert result.returncode == 0, result.stdout + result.stderr
    assert seen.read_text() == url
    assert "throw-away" not in result.stdout


@needs_postgres
def test_with_local_postgres_it_runs_on_a_throwaway_database_then_drops_it(tmp_path):
    command, seen = runner(tmp_path)
    result = run(command, runner_env(**local_server()))

    assert result.returncode == 0, result.stdout + result.stderr
    name = make_url(seen.read_text()).database
    assert name and name.startswith("movies_test_")
    assert f"the throw-away database {name}" in result.stdout
    assert databases_named(name) == []


@needs_postgres
def test_the_throwaway_database_is_dropped_after_a_failing_run(tmp_path):
    command, seen = runner(tmp_path, "fail")
    result = run(command, runner_env(**local_server()))

    assert result.returncode == 1, result.stdout + result.stderr
    name = make_url(seen.read_text()).database
    assert name and databases_named(name) == []


@needs_postgres
def test_the_throwaway_database_and_its_neighbours_are_dropped_after_ctrl_c(tmp_path):
    command, seen = runner(tmp_path, "wait")
    env = runner_env(**local_server())
    with subprocess.Popen(command, cwd=REPO_ROOT, env=env, start_new_session=True) as process:
        url = wait_for(
            lambda: seen.read_text() if seen.exists() else None,
            limit_s=RUN_LIMIT_S,
            what="the run to start its test",
        )
        name = make_url(url).database
        # What the suite derives from it (name_isolated, ...), as an interrupted run leaves it.
        server = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}_isolated"'))
        server.dispose()
        assert databases_named(f"{name}") == [name, f"{name}_isolated"]
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's job
        process.wait(timeout=RUN_LIMIT_S)

    assert process.returncode != 0
    assert databases_named(f"{name}") == []
