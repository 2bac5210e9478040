"""A small closed-loop load generator: N keep-alive connections, loopback only, bounded."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class LoadResult:
    """What one burst of load did: answers, failures, time and latency percentiles."""

    answered: int
    failed: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] if ordered else 0.0


def run_load(
    url: str,
    *,
    connections: int,
    seconds: float,
    max_requests: int,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """GET url over `connections` keep-alive connections, each waiting for its answer before
    the next request, until `seconds` pass or `max_requests` were sent in all."""
    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"load goes to this machine only, not {parts.hostname!r}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    per_connection = max(1, max_requests // connections)
    start = threading.Barrier(connections + 1)
    results: list[tuple[int, int, list[float]]] = []
    lock = threading.Lock()
    clock: dict[str, float] = {}

    def client() -> None:
        host, port = parts.hostname or "", parts.port or 80
        outcome = _client_loop(host, port, path, headers or {}, per_connection, start, clock)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    clock["deadline"] = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait(timeout=CONNECT_TIMEOUT_S)
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.perf_counter() - began
    latencies = [value for _, _, sample in results for value in sample]
    return LoadResult(
        answered=sum(answered for answered, _, _ in results),
        failed=sum(failed for _, failed, _ in results),
        seconds=elapsed,
        latencies_ms=latencies,
    )


def _client_loop(
    host: str,
    port: int,
    path: str,
    headers: dict[str, str],
    limit: int,
    start: threading.Barrier,
    clock: dict[str, float],
) -> tuple[int, int, list[float]]:
    connection = http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT_S)
    answered = failed = 0
    latencies: list[float] = []
    start.wait(timeout=CONNECT_TIMEOUT_S)
    deadline = clock["deadline"]
    while answered + failed < limit and time.perf_counter() < deadline:
        sent = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()  # reconnects on the next request
            continue
        latencies.append((time.perf_counter() - sent) * 1000)
        if response.status == 200:
            answered += 1
        else:
            failed += 1
    connection.close()
    return answered, failed, latencies
