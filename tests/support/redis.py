"""A private Redis server (Debian's redis-server) on a loopback port for one test: its counts
are its own, whatever else runs on this machine's Redis."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from tests.support.processes import stop
from tests.support.simulator import HOST, free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
STARTUP_LIMIT_S = 10.0


@dataclass(frozen=True)
class RunningRedis:
    url: str
    port: int


def redis_available() -> bool:
    return Path(REDIS_SERVER).exists()


@contextmanager
def running_redis(directory: Path) -> Iterator[RunningRedis]:
    """redis-server for the block: loopback only, nothing saved to disk."""
    port = free_port()
    command = [
        REDIS_SERVER, "--bind", HOST, "--port", str(port), "--save", "",
        "--appendonly", "no", "--dir", str(directory), "--logfile", str(directory / "redis.log"),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = RunningRedis(url=f"redis://{HOST}:{port}/0", port=port)
    try:
        _wait_for_ping(running, process, directory)
        yield running
    finally:
        stop(process)


def _wait_for_ping(running: RunningRedis, process: subprocess.Popen[bytes], log: Path) -> None:
    client = redis.Redis.from_url(running.url, socket_connect_timeout=1)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((log / "redis.log").read_text(errors="replace"))
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError("redis-server did not answer in time")
