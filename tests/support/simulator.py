"""Run the provider simulator as a real process for tests: `running_simulator()`."""

import itertools
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 5.0
STARTUP_LIMIT_S = 15.0
STOP_LIMIT_S = 5.0
PORT_ATTEMPTS = 3
LOG_TAIL_CHARS = 3000
# Under pytest-xdist each worker (gw0, gw1, ...) takes its ports from a block of its own,
# below the kernel's ephemeral range where bind(0) and outgoing connections take theirs:
# two workers never pick the same port, whatever the time between picking and binding it.
WORKER_PORTS_START = 20000
WORKER_PORTS_EACH = 500
WORKER_PORTS_END = 32768
_worker_port_offsets = itertools.count(random.randrange(WORKER_PORTS_EACH))

ChildEnv = Mapping[str, str | None]


class SimulatorDidNotStart(RuntimeError):
    """The simulator process ended, or stayed silent, before it answered."""


@dataclass(frozen=True)
class RunningSimulator:
    """A simulator process answering on a loopback port."""

    url: str
    port: int
    process: subprocess.Popen[bytes]

    def set_faults(
        self, target: str, *, error_rate: float = 0.0, latency_ms: int = 0, hang: bool = False
    ) -> None:
        """Replace the target's fault settings (cinemaworld, filmworld or movielist)."""
        settings = {"error_rate": error_rate, "latency_ms": latency_ms, "hang": hang}
        url = f"{self.url}/_faults/{target}"
        requests.put(url, json=settings, timeout=REQUEST_TIMEOUT_S).raise_for_status()

    def reset_faults(self) -> None:
        """Clear every target's faults and release held requests."""
        requests.delete(f"{self.url}/_faults/", timeout=REQUEST_TIMEOUT_S).raise_for_status()

    def stats(self) -> dict[str, dict[str, int]]:
        """How many requests each target received, by path, since the last reset_stats()."""
        response = requests.get(f"{self.url}/_stats/", timeout=REQUEST_TIMEOUT_S)
        response.raise_for_status()
        counts: dict[str, dict[str, int]] = response.json()
        return counts

    def reset_stats(self) -> None:
        """Count every target's requests from zero again."""
        requests.delete(f"{self.url}/_stats/", timeout=REQUEST_TIMEOUT_S).raise_for_status()


def free_port(host: str = HOST) -> int:
    """A TCP port that was free on the host a moment ago (in this xdist worker's block)."""
    block = worker_port_block(os.environ.get("PYTEST_XDIST_WORKER", ""))
    if block is None:
        return _bound_port(host, 0)
    for _ in block:
        port = block[next(_worker_port_offsets) % len(block)]
        try:
            return _bound_port(host, port)
        except OSError:
            continue  # in use: this worker's own, or something else on the machine
    raise RuntimeError(f"no free port in {block}")


def worker_port_block(worker: str) -> range | None:
    """The ports of the xdist worker named worker (gw<n>); None outside xdist."""
    if not worker.startswith("gw"):
        return None
    start = WORKER_PORTS_START + int(worker.removeprefix("gw")) * WORKER_PORTS_EACH
    if start + WORKER_PORTS_EACH > WORKER_PORTS_END:
        raise RuntimeError(f"too many xdist workers for their port blocks: {worker}")
    return range(start, start + WORKER_PORTS_EACH)


def _bound_port(host: str, port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, port))
        return int(sock.getsockname()[1])


@contextmanager
def running_simulator(
    env: ChildEnv | None = None, port: int | None = None
) -> Iterator[RunningSimulator]:
    """Run `python -m simulator` for the block; env extends os.environ, None unsets a name."""
    with tempfile.TemporaryFile() as log:
        simulator = _start(child_env(env), port, log)
        try:
            yield simulator
        finally:
            _stop(simulator.process)


def child_env(env: ChildEnv | None) -> dict[str, str]:
    """os.environ with env applied; a None value unsets the name."""
    child_env = dict(os.environ)
    for name, value in (env or {}).items():
        if value is None:
            child_env.pop(name, None)
        else:
            child_env[name] = value
    return child_env


def _start(env: dict[str, str], port: int | None, log: IO[bytes]) -> RunningSimulator:
    # A port found free can be taken before the child binds it: then try another one.
    for _ in range(1 if port else PORT_ATTEMPTS):
        simulator = _launch(env, port or free_port(), log)
        if _answers(simulator, log):
            return simulator
    raise SimulatorDidNotStart(f"the simulator exited before answering:\n{_tail(log)}")


def _launch(env: dict[str, str], port: int, log: IO[bytes]) -> RunningSimulator:
    command = [sys.executable, "-m", "simulator", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    return RunningSimulator(url=f"http://{HOST}:{port}", port=port, process=process)


def _answers(simulator: RunningSimulator, log: IO[bytes]) -> bool:
    """True once the simulator answers; False if its process ended first."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if simulator.process.poll() is not None:
            return False
        try:
            response = requests.get(f"{simulator.url}/_faults/", timeout=0.5)
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.05)
            continue
        # Another server may hold the port until our process notices and exits.
        if response.status_code == 200 and simulator.process.poll() is None:
            return True
    _stop(simulator.process)
    raise SimulatorDidNotStart(f"no answer within {STARTUP_LIMIT_S} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read().decode(errors="replace")[-LOG_TAIL_CHARS:]
