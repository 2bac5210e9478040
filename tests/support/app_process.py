"""Run the service as real processes for end-to-end tests: migrate, then gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import requests

from tests.support.simulator import HOST, REPO_ROOT, free_port

STARTUP_LIMIT_S = 30.0
STOP_LIMIT_S = 10.0
COMMAND_LIMIT_S = 120.0
LOG_TAIL_CHARS = 4000


class AppDidNotStart(RuntimeError):
    """gunicorn ended, or stayed silent, before the app answered."""


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_text(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def app_env(settings: Mapping[str, str]) -> dict[str, str]:
    """The environment of the app's processes: the caller's plus these settings."""
    return {**os.environ, **settings}


def flask_command(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """flask --app wsgi <args> in a child process; its output is returned, not printed."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=COMMAND_LIMIT_S,
    )


def migrate(env: Mapping[str, str]) -> None:
    """flask --app wsgi db upgrade in a child process."""
    result = flask_command(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr


@contextmanager
def running_gunicorn(
    env: Mapping[str, str], *, workers: int | None = 2, app: str = "wsgi:app"
) -> Iterator[RunningApp]:
    """gunicorn -c gunicorn.conf.py <app> on a free loopback port, for the block; workers
    None keeps gunicorn.conf.py's number. The app must answer GET /healthz."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}"]
    command += ["-w", str(workers), app] if workers else [app]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        running = RunningApp(url=f"http://{HOST}:{port}", process=process, log=log)
        try:
            _wait_until_ready(running)
            yield running
        finally:
            _stop(process)


def _wait_until_ready(app: RunningApp) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise AppDidNotStart(f"gunicorn exited:\n{app.log_text()[-LOG_TAIL_CHARS:]}")
        try:
            if requests.get(f"{app.url}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AppDidNotStart(f"no answer in {STARTUP_LIMIT_S} s:\n{app.log_text()[-LOG_TAIL_CHARS:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
