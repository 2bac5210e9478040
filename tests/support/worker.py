"""Run the queue worker (`flask --app wsgi worker`) as a real process for tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

REPO_ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
# The app of a worker whose exports write slowly (see tests/support/slow_exports.py).
SLOW_EXPORTS = "tests.support.slow_exports"
MIGRATE_LIMIT_S = 60.0
# A graceful stop on two cores shared with three other test workers (make test) and more.
STOP_LIMIT_S = 30.0
LOG_TAIL_CHARS = 4000
T = TypeVar("T")


@dataclass
class WorkerProcess:
    """A running worker and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=STOP_LIMIT_S)

    def stop(self) -> int:
        """SIGTERM, the graceful stop; SIGKILL if it does not end in time. The exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_LIMIT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=STOP_LIMIT_S)

    def log_tail(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-LOG_TAIL_CHARS:]


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """os.environ with env on top; the test database is the child's DATABASE_URL."""
    merged = {**os.environ, **env}
    merged.pop("FLASK_APP", None)
    return merged


def migrate(env: Mapping[str, str]) -> None:
    """`flask --app wsgi db upgrade` on env's DATABASE_URL; raises with its output if it fails."""
    result = subprocess.run(
        [*FLASK, "db", "upgrade"],
        cwd=REPO_ROOT,
        env=child_env(env),
        capture_output=True,
        timeout=MIGRATE_LIMIT_S,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"db upgrade failed:\n{result.stdout!r}\n{result.stderr!r}")


@contextmanager
def running_worker(
    env: Mapping[str, str], log_path: Path, *, app: str = "wsgi"
) -> Iterator[WorkerProcess]:
    """Run the worker of app (a module with an `app`) for the block, with env on top of
    os.environ; stopped at the end."""
    with log_path.open("ab") as log:
        worker = start_worker(env, log, log_path, app=app)
        try:
            yield worker
        finally:
            worker.stop()


def start_worker(
    env: Mapping[str, str], log: IO[bytes], log_path: Path, *, app: str = "wsgi"
) -> WorkerProcess:
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", app, "worker", "--workers", "2"],
        cwd=REPO_ROOT,
        env=child_env(env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return WorkerProcess(process=process, log_path=log_path)


def wait_for(
    probe: Callable[[], T | None], *, limit_s: float, what: str, interval_s: float = 0.05
) -> T:
    """Poll probe until it returns something other than None, or fail after limit_s."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {limit_s} s waiting for {what}")
