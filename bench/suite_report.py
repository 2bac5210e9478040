"""`make bench`'s figures as a Markdown section of bench/BENCHMARKS.md."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

from bench.burst import Burst, Shape
from bench.report import machine, measured_at, verdict

Runs = list[dict[Any, Burst]]


def report(
    scenarios: Sequence[Any], runs: Runs, *, shape: Shape, url: str, load_at_start: float
) -> str:
    """The section: setup, one row per scenario (shares of the same run's ceiling), verdicts."""
    ceiling = scenarios[0]
    lines = [
        "## The service against its ceiling (`make bench`, issue 9)",
        "",
        f"Measured {measured_at()} by `make bench` (`python -m bench`).",
        f"Machine: {machine(url)}; 1-min load average at the start: {load_at_start:.1f}; shared "
        "with other engineers' test runs.",
        "Stack: three gunicorn servers (`-c gunicorn.conf.py`: gthread, its workers and "
        "threads; workers not recycled mid-run; access log to a file) on loopback, "
        "APP_ENV=production with generated secrets, Postgres loaded with 10,000 movies "
        "(1-3 genres each), the provider simulator; rate limits raised far above the load "
        "(one user sends it all). The ceiling is bench/hello.py, a bare Flask hello-world "
        "under the same gunicorn settings.",
        f"Load: bench/load.py, {shape.connections} keep-alive connections from one client "
        f"thread on the same machine; per burst {shape.warmup:g} s warm-up, then "
        f"{shape.seconds:g} s measured; {len(runs)} runs, scenario order rotated between "
        "runs. Each share is taken within a run (this burst's requests/s over the ceiling's "
        "in the same run), then the median over the runs.",
        "",
        "| scenario | share of the ceiling: median (runs) | requests/s: median (runs) "
        "| share by CPU | CPU us/request | p50 / p99 ms | failed | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(runs, scenario, ceiling) for scenario in scenarios]
    lines += ["", *_verdicts(scenarios, runs, ceiling), *_counter_lines(scenarios, runs)]
    lines += ["", *_reading()]
    return "\n".join(lines)


def _each(runs: Runs, value: Callable[[dict[Any, Burst]], float]) -> list[float]:
    return [value(run) for run in runs]


def _shares(runs: Runs, scenario: Any, ceiling: Any) -> list[float]:
    return _each(runs, lambda run: run[scenario].load.per_second / run[ceiling].load.per_second)


def _cpu_shares(runs: Runs, scenario: Any, ceiling: Any) -> list[float]:
    def share(run: dict[Any, Burst]) -> float:
        return run[ceiling].cpu_us_per_request / max(run[scenario].cpu_us_per_request, 1e-9)

    return _each(runs, share)


def _listed(values: list[float], form: str) -> str:
    return f"{statistics.median(values):{form}} ({', '.join(f'{v:{form}}' for v in values)})"


def _row(runs: Runs, scenario: Any, ceiling: Any) -> str:
    bursts = [run[scenario] for run in runs]
    rates = [burst.load.per_second for burst in bursts]
    middle = sorted(bursts, key=lambda burst: burst.load.per_second)[len(bursts) // 2]
    shares = _shares(runs, scenario, ceiling)
    target = "" if scenario.target is None else f"≥ {scenario.target:.0%}: "
    if scenario.target is not None:
        target += verdict(statistics.median(shares) >= scenario.target)
    cells = [
        scenario.label,
        f"**{statistics.median(shares):.0%}** ({', '.join(f'{s:.0%}' for s in shares)})",
        _listed(rates, ".0f"),
        f"{statistics.median(_cpu_shares(runs, scenario, ceiling)):.0%}",
        f"{statistics.median(burst.cpu_us_per_request for burst in bursts):.0f}",
        f"{middle.load.latency_ms(0.5):.1f} / {middle.load.latency_ms(0.99):.1f}",
        str(sum(burst.load.failed for burst in bursts)),
        target,
    ]
    return "| " + " | ".join(cells) + " |"


def _verdicts(scenarios: Sequence[Any], runs: Runs, ceiling: Any) -> list[str]:
    lines = []
    for scenario in (s for s in scenarios if s.target is not None):
        share = statistics.median(_shares(runs, scenario, ceiling))
        lines.append(
            f"- {scenario.label}: {share:.0%} of the ceiling against at least "
            f"{scenario.target:.0%}: {verdict(share >= scenario.target)}."
        )
    return lines


def _counter_lines(scenarios: Sequence[Any], runs: Runs) -> list[str]:
    lines = []
    for on in (scenario for scenario in scenarios if scenario.server == "on"):
        off = next((s for s in scenarios if s.server == "off" and s.path == on.path), None)
        if off is not None:
            kept = [run[on].load.per_second / run[off].load.per_second for run in runs]
            lines.append(
                f"- Counter on / off, `GET {on.path}`, within each run: {_listed(kept, '.2f')}."
            )
    counted = [burst for run in runs for burst in run.values() if burst.served is not None]
    exact = all(burst.exact for burst in counted)
    lines.append(
        f"- Counted exactly (stored count = requests sent) in all {len(counted)} bursts on the "
        f"counting server: {'yes' if exact else '**NO**'}."
    )
    return lines


def _reading() -> list[str]:
    return [
        'Reading: "share by CPU" is the ceiling\'s CPU per request (gunicorn) over the '
        "scenario's (gunicorn plus its Postgres backends), both from the same run: what the "
        "share would be if both were bound by the same CPU alone. On this shared 2-core "
        "machine, where the client, Postgres and other engineers' tests compete for the "
        "cores, it is steadier than throughput; trust the ratios more than the absolute "
        "requests/s.",
    ]
