"""One measured burst against a running server: warm-up, load, CPU per request, exact count.

CPU is the server's (a gunicorn master and its workers) plus, when a database is given, its
Postgres backends' (the app's connections, not the WAL writer, not the client), per request
answered, from /proc: on a shared machine it is steadier than throughput. On a server that
counts requests, the stored count is zeroed first and compared with what was sent after.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, text

from bench.load import LoadResult, run_load
from bench.server import Server

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Shape:
    """How hard and how long each burst loads a server."""

    connections: int = 16
    seconds: float = 5.0
    warmup: float = 1.5
    max_requests: int = 200_000


@dataclass(frozen=True)
class Burst:
    """One scenario's measured load, its CPU cost, and what the counter stored."""

    load: LoadResult
    cpu_us_per_request: float
    served: int | None  # None: the server does not count
    counted: int | None

    @property
    def exact(self) -> bool:
        return self.counted == self.served


def measure(
    server: Server,
    path: str,
    shape: Shape,
    *,
    headers: dict[str, str] | None = None,
    engine: Engine | None = None,
    counting: bool = False,
    expect: int = 200,
    after_warmup: Callable[[], None] | None = None,
) -> Burst:
    """Warm up, then load server.url + path; engine: the app's database (backends' CPU, and
    the stored count when counting); expect: the status that counts as answered;
    after_warmup: called between the warm-up and the measured load."""
    if counting and engine is not None:
        zero_counter(engine)
    options = {
        "connections": shape.connections,
        "max_requests": shape.max_requests,
        "expect": expect,
    }
    warm = run_load(server.url + path, seconds=shape.warmup, headers=headers, **options)
    if after_warmup is not None:
        after_warmup()
    processes = with_children(server.pid) + (backends(engine) if engine is not None else [])
    cpu_before = cpu_seconds(processes)
    load = run_load(server.url + path, seconds=shape.seconds, headers=headers, **options)
    cpu_used = cpu_seconds(processes) - cpu_before
    answered = load.answered + load.failed
    sent = sum(warm.statuses.values()) + sum(load.statuses.values())
    counted = stored_count(engine) if counting and engine is not None else None
    return Burst(
        load=load,
        cpu_us_per_request=cpu_used * 1e6 / max(1, answered),
        served=sent if counted is not None else None,
        counted=counted,
    )


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU seconds of these processes so far (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / _TICKS


def with_children(pid: int) -> list[int]:
    """The process and its direct children (a gunicorn master and its workers)."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return [pid, *children]


def backends(engine: Engine) -> list[int]:
    """The Postgres server processes that serve the benchmarked app's connections."""
    query = text(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE 'movie-service%'"
    )
    with engine.connect() as connection:
        return [int(pid) for pid in connection.execute(query).scalars()]


def zero_counter(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE request_counter SET count = 0"))


def stored_count(engine: Engine) -> int:
    with engine.connect() as connection:
        total = connection.execute(text("SELECT sum(count) FROM request_counter")).scalar()
    return int(total or 0)
