"""Start the API under gunicorn for a benchmark, on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STARTUP_LIMIT_S = 60.0
STOP_LIMIT_S = 15.0


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def run_flask(*args: str, env: Mapping[str, str]) -> None:
    """`flask --app wsgi <args>` with env added to this environment; raises on failure."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        timeout=120,
    )


@contextmanager
def gunicorn(env: Mapping[str, str], *, workers: int, threads: int) -> Iterator[Server]:
    """Serve wsgi:app for the block. Workers are not recycled mid-run."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
        "-b", f"{HOST}:{port}", "-w", str(workers), "--threads", str(threads),
        "--max-requests", "0", "wsgi:app",
    ]  # fmt: skip
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env={**os.environ, **env}, stdout=log, stderr=log
        )
        try:
            _wait_until_ready(f"http://{HOST}:{port}", process, log)
            yield Server(url=f"http://{HOST}:{port}", pid=process.pid)
        finally:
            _stop(process)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log: object) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urlopen(f"{url}/healthz", timeout=STARTUP_LIMIT_S) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (URLError, ConnectionError):
            time.sleep(0.1)
    _stop(process)
    raise RuntimeError(f"gunicorn did not answer on {url}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_LIMIT_S)
