"""The counter benchmark's figures as a Markdown section of bench/BENCHMARKS.md."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from typing import Any

from bench.report import machine, measured_at

# The endpoints bench.counter loads: a cheap one, and a typical one (token, database reads).
HEALTHZ = "/healthz"
CATALOG = "/catalog/movies/?page_size=20"

Runs = list[dict[tuple[str, str], Any]]


def report(args: argparse.Namespace, runs: Runs, url: str) -> str:
    """The whole section: setup, one row per scenario, then the same-run ratios."""
    lines = [
        "## Request counter (issue 4)",
        "",
        f"Measured {measured_at()} by `python -m bench.counter`.",
        f"Machine: {machine(url)}; shared with other engineers' test runs, so throughput is noisy.",
        f"Load: {args.connections} keep-alive connections from bench/load.py (one client "
        f"thread) on the same machine; gunicorn -c gunicorn.conf.py with {args.workers} "
        f"workers x {args.threads} threads, APP_ENV=production, on loopback; {args.runs} runs, "
        f"each burst {args.warmup:g} s warm-up then {args.seconds:g} s measured, scenario "
        "order rotated between runs. CPU is gunicorn's plus its Postgres backends' (not WAL "
        "writer, not the client) per request.",
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
        _ratio_line(runs, "catalog list: striped / off", (CATALOG, "striped"), (CATALOG, "off")),
        "",
        f"Striped counting costs **{_cost(runs, HEALTHZ):.0f}%** of /healthz throughput and "
        f"**{_cost(runs, CATALOG):.0f}%** of a catalog list's (target: under 10%).",
    ]
    return "\n".join(lines)


def _median_of(runs: Runs, key: tuple[str, str], value: Callable[[Any], float]) -> float:
    return statistics.median(value(run[key]) for run in runs)


def _scenario_line(runs: Runs, key: tuple[str, str]) -> str:
    endpoint, name = key
    bursts = [run[key] for run in runs]
    rates = [burst.load.per_second for burst in bursts]
    middle = sorted(bursts, key=lambda burst: burst.load.per_second)[len(bursts) // 2]
    exact = "yes" if all(burst.exact for burst in bursts) else "**NO**"
    exact = "n/a" if bursts[0].served is None else exact
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
