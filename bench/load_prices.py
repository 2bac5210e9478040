"""A small closed-loop load generator for loopback benchmarks: N connections, each a
keep-alive HTTP/1.1 connection sending one request after another, bounded in count and time."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

REQUEST_TIMEOUT_S = 10.0


@dataclass
class LoadResult:
    """Latencies (seconds) of the requests answered, and every status or error seen."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0

    @property
    def failed(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != "200")

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, share: float) -> float:
        """The latency under which `share` (0..1) of the requests were answered."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    duration_s: float = 5.0,
    max_requests: int = 50_000,
) -> LoadResult:
    """Send GET url over `connections` connections until duration_s or max_requests."""
    result = LoadResult()
    lock = threading.Lock()
    budget = {"left": max_requests}
    stop_at = time.monotonic() + duration_s

    def take() -> bool:
        with lock:
            budget["left"] -= 1
            return budget["left"] >= 0 and time.monotonic() < stop_at

    def worker() -> None:
        latencies, statuses = _drive(url, headers or {}, take)
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration_s + REQUEST_TIMEOUT_S + 5)
    result.elapsed_s = time.monotonic() - started
    return result


def _drive(url: str, headers: dict[str, str], take) -> tuple[list[float], Counter[str]]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.netloc, timeout=REQUEST_TIMEOUT_S)
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    while take():
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            statuses[type(exc).__name__] += 1
            connection.close()
            connection = http.client.HTTPConnection(parts.netloc, timeout=REQUEST_TIMEOUT_S)
            continue
        latencies.append(time.perf_counter() - started)
        statuses[str(response.status)] += 1
    connection.close()
    return latencies, statuses


def median_of(values: list[float]) -> float:
    return statistics.median(values)
