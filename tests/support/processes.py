"""Run the API as real gunicorn processes for tests: `running_gunicorn(env=...)`."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from typing import IO

import flask_migrate
import requests

from config import settings_from_env
from src import create_app
from src.extensions import db
from tests.support.simulator import HOST, REPO_ROOT, ChildEnv, free_port
from tests.support.simulator import child_env as simulator_child_env

# Up to four test workers start servers at once on two cores (make test): seconds, at worst.
STARTUP_LIMIT_S = 60.0
STOP_LIMIT_S = 10.0
COMMAND_LIMIT_S = 60.0
PORT_ATTEMPTS = 3
LOG_TAIL_CHARS = 3000

# Quiet and fast defaults for a server under test; the caller's env wins.
TEST_SERVER_ENV = {
    "ACCESS_LOG": "false",
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_COST_KIB": "1024",
    # Load tests send hundreds of requests a second from one address; the rate limits
    # have their own tests.
    "RATELIMIT_ENABLED": "false",
}


class ServerDidNotStart(RuntimeError):
    """The server process ended, or did not answer /healthz, within the limit."""


@dataclass(frozen=True)
class RunningServer:
    """A gunicorn master with its workers, answering on a loopback port."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_text(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


def instance_env(folder: str | PathLike[str], database_url: str | None = None) -> dict[str, str]:
    """The env of a service instance kept in `folder`: its INSTANCE_DIR, its queue there, and
    its database there as a SQLite file, or at database_url (a shared Postgres) when given."""
    return {
        "DATABASE_URL": database_url or f"sqlite:///{folder}/app.db",
        "INSTANCE_DIR": str(folder),
        "QUEUE_URL": f"sqlite:///{folder}/queue.db",
    }


def child_env(env: ChildEnv | None = None) -> dict[str, str]:
    """os.environ plus the test defaults plus env; a None value unsets the name."""
    return simulator_child_env({**TEST_SERVER_ENV, **(env or {})})


def run_flask(*args: str, env: ChildEnv | None = None) -> str:
    """Run `flask --app wsgi <args>` to completion; returns its output, raises on failure."""
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    result = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=child_env(env),
        capture_output=True,
        text=True,
        timeout=COMMAND_LIMIT_S,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def migrate(env: ChildEnv) -> None:
    """Bring the database named by env's DATABASE_URL to the latest migration: what
    `flask --app wsgi db upgrade` does with env, run here (a new Python costs seconds)."""
    application = create_app(settings_from_env(child_env(env)))
    with application.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@contextmanager
def running_gunicorn(
    env: ChildEnv | None = None, *, workers: int = 2, threads: int = 4, port: int | None = None
) -> Iterator[RunningServer]:
    """Serve wsgi:app with gunicorn for the block, stopped with SIGTERM (then SIGKILL).

    Waiting for it answers exactly one /healthz request, which the app counts like any other.
    """
    with tempfile.TemporaryFile() as log:
        server = _start(child_env(env), workers, threads, port, log)
        try:
            yield server
        finally:
            stop(server.process)


def _start(
    env: dict[str, str], workers: int, threads: int, port: int | None, log: IO[bytes]
) -> RunningServer:
    # A port found free can be taken before gunicorn binds it: then try another one.
    for _ in range(1 if port else PORT_ATTEMPTS):
        server = _launch(env, workers, threads, port or free_port(), log)
        if _answers(server):
            return server
    raise ServerDidNotStart(f"gunicorn exited before answering:\n{_tail(log)}")


def _launch(
    env: dict[str, str], workers: int, threads: int, port: int, log: IO[bytes]
) -> RunningServer:
    command = [
        sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
        "-b", f"{HOST}:{port}", "-w", str(workers), "--threads", str(threads),
        "wsgi:app",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    return RunningServer(url=f"http://{HOST}:{port}", port=port, process=process, log=log)


def _answers(server: RunningServer) -> bool:
    """True once /healthz answers 200; False if the process ended first.

    A connection that was accepted waits for its answer until the deadline (gunicorn listens
    before its workers are ready), so no unanswered probe is served later behind our back.
    """
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while (remaining := deadline - time.monotonic()) > 0:
        if server.process.poll() is not None:
            return False
        try:
            response = requests.get(f"{server.url}/healthz", timeout=(0.5, remaining))
        except requests.ConnectionError:
            time.sleep(0.05)
            continue
        except requests.Timeout:
            break
        # Another server may hold the port until our process notices and exits.
        if response.status_code == 200 and server.process.poll() is None:
            return True
    stop(server.process)
    raise ServerDidNotStart(f"no answer within {STARTUP_LIMIT_S} s:\n{_tail(server.log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL if it takes too long."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_LIMIT_S)


def _tail(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-LOG_TAIL_CHARS:]
