"""The benchmarks' one way to start a server: gunicorn with gunicorn.conf.py on loopback."""

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
from urllib.request import urlopen

from tests.support.processes import HOST, REPO_ROOT, free_port, stop

STARTUP_LIMIT_S = 60.0
STOP_LIMIT_S = 15.0
COMMAND_LIMIT_S = 180.0
LOG_TAIL_CHARS = 3000


class ServerDidNotStart(RuntimeError):
    """gunicorn ended, or stayed silent, before the app answered GET /healthz."""


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: IO[bytes]

    def log_tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-LOG_TAIL_CHARS:]


def run_flask(*args: str, env: Mapping[str, str]) -> str:
    """`flask --app wsgi <args>` with env added to this environment; its output, or raises."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=COMMAND_LIMIT_S,
    )
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stderr[-LOG_TAIL_CHARS:]}")
    return result.stdout


@contextmanager
def gunicorn(
    env: Mapping[str, str],
    *,
    app: str = "wsgi:app",
    workers: int | None = None,
    threads: int | None = None,
) -> Iterator[Server]:
    """gunicorn -c gunicorn.conf.py <app> on a free loopback port for the block, env added to
    this environment. Workers and threads are the file's unless given; workers are not
    recycled mid-run (--max-requests 0). Its output (access log included) goes to a file."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"{HOST}:{port}"]
    command += ["-w", str(workers)] if workers else []
    command += ["--threads", str(threads)] if threads else []
    command += ["--max-requests", "0", app]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=log, stderr=log
        )
        server = Server(url=f"http://{HOST}:{port}", pid=process.pid, log=log)
        try:
            _wait_until_ready(server, process)
            yield server
        finally:
            stop(process)


def _wait_until_ready(server: Server, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urlopen(f"{server.url}/healthz", timeout=5) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:  # not listening yet (URLError is one)
            time.sleep(0.1)
    raise ServerDidNotStart(f"gunicorn did not answer on {server.url}:\n{server.log_tail()}")
