"""The counter benchmark's figures as a Markdown section of bench/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

BENCHMARKS = Path(__file__).resolve().parent / "BENCHMARKS.md"
BEGIN, END = "<!-- bench.counter:begin -->", "<!-- bench.counter:end -->"
# The endpoints bench.counter loads: a cheap one, and a typical one (token, database reads).
HEALTHZ = "/healthz"
CATALOG = "/catalog/movies/?page_size=20"

Runs = list[dict[tuple[str, str], Any]]


def report(args: argparse.Namespace, runs: Runs, engine: Engine) -> str:
    """The whole section: setup, one row per scenario, then the same-run ratios."""
    lines = [
        "## Request counter (issue 4)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.counter`.",
        f"Machine: {len(os.sched_getaffinity(0))} cores (`nproc`), {_cpu_model()}, "
        f"{_postgres_version(engine)}, Python {platform.python_version()}; shared with other "
        "engineers' test runs at the same time, so throughput is noisy.",
        f"Load: {args.connections} keep-alive connections from a Python client on the same "
        f"machine; gunicorn {args.workers} workers x {args.threads} threads (gthread) on "
        f"loopback; {args.runs} runs, each burst {args.warmup:g} s warm-up then "
        f"{args.seconds:g} s measured, scenario order rotated between runs. CPU is gunicorn's "
        "plus its Postgres backends' (not WAL writer, not the client) per answered request.",
        "",
        "| endpoint | counter | requests/s: median (runs) | CPU us/request: median "
        "| p50 / p99 ms | counted exactly |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_scenario_line(runs, key) for key in runs[0]]
    lines += [
        "",
        "| ratio, within each run | throughput: median (runs) | CPU per request: median |",
        "|---|---|---|",
        _ratio_line(runs, "/healthz: striped / off", (HEALTHZ, "striped"), (HEALTHZ, "off")),
        _ratio_line(
            runs, "/healthz: one row / striped", (HEALTHZ, "one row"), (HEALTHZ, "striped")
        ),
        _ratio_line(
            runs,
            "/healthz: striped, not durable / off",
            (HEALTHZ, "striped, not durable"),
            (HEALTHZ, "off"),
        ),
        _ratio_line(runs, "catalog search: striped / off", (CATALOG, "striped"), (CATALOG, "off")),
        "",
        f"Striped counting costs **{_cost(runs, HEALTHZ):.0f}%** of /healthz throughput and "
        f"**{_cost(runs, CATALOG):.0f}%** of a catalog search's (target: under 10%).",
    ]
    return "\n".join(lines)


def record(section_text: str) -> Path:
    """Replace this benchmark's section of BENCHMARKS.md, keeping every other one."""
    section = f"{BEGIN}\n{section_text}\n{END}"
    current = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    if BEGIN in current and END in current:
        head, rest = current.split(BEGIN, 1)
        updated = head + section + rest.split(END, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(updated)
    return BENCHMARKS


def _median_of(runs: Runs, key: tuple[str, str], value: Callable[[Any], float]) -> float:
    return statistics.median(value(run[key]) for run in runs)


def _scenario_line(runs: Runs, key: tuple[str, str]) -> str:
    endpoint, name = key
    bursts = [run[key] for run in runs]
    rates = [burst.load.per_second for burst in bursts]
    middle = sorted(bursts, key=lambda burst: burst.load.per_second)[len(bursts) // 2]
    exact = "n/a" if name == "off" else ("yes" if all(b.exact for b in bursts) else "**NO**")
    cpu = _median_of(runs, key, lambda burst: burst.cpu_us_per_request)
    return (
        f"| `GET {endpoint}` | {name} | {statistics.median(rates):.0f} "
        f"({', '.join(f'{rate:.0f}' for rate in rates)}) | {cpu:.0f} "
        f"| {middle.load.latency_ms(0.5):.1f} / {middle.load.latency_ms(0.99):.1f} | {exact} |"
    )


def _ratios(runs: Runs, top: tuple[str, str], bottom: tuple[str, str], attr: str) -> list[float]:
    def value(burst: Any) -> float:
        return float(burst.load.per_second if attr == "rate" else burst.cpu_us_per_request)

    return [value(run[top]) / value(run[bottom]) for run in runs]


def _ratio_line(runs: Runs, label: str, top: tuple[str, str], bottom: tuple[str, str]) -> str:
    rates = _ratios(runs, top, bottom, "rate")
    cpu = _ratios(runs, top, bottom, "cpu")
    each = ", ".join(f"{ratio:.2f}" for ratio in rates)
    return (
        f"| {label} | **{statistics.median(rates):.2f}** ({each}) | {statistics.median(cpu):.2f} |"
    )


def _cost(runs: Runs, endpoint: str) -> float:
    kept = statistics.median(_ratios(runs, (endpoint, "striped"), (endpoint, "off"), "rate"))
    return (1 - kept) * 100


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _postgres_version(engine: Engine) -> str:
    with engine.connect() as connection:
        version = str(connection.execute(text("SHOW server_version")).scalar())
    return f"PostgreSQL {version.split()[0]}"
