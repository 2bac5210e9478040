"""`make bench`'s figures as a Markdown section of bench/BENCHMARKS.md."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bench import memory as memory_scenario
from bench.burst import Burst, Shape
from bench.memory import MemoryGrowth
from bench.report import machine, measured_at, verdict
from bench.scenarios import HANGING, P99_FACTOR, P99_SLACK_MS

Runs = list[dict[Any, Burst]]


def report(
    scenarios: Sequence[Any],
    runs: Runs,
    *,
    shape: Shape,
    url: str,
    load_at_start: float,
    not_measured: Mapping[Any, str],
    memory: MemoryGrowth | None,
) -> str:
    """The section: setup, one row per scenario (shares of the same run's ceiling), verdicts."""
    ceiling = scenarios[0]
    lines = [
        "## The service against its ceiling (`make bench`, issues 13 and 14)",
        "",
        f"Measured {measured_at()} by `make bench` (`python -m bench`).",
        f"Machine: {machine(url)}; 1-min load average at the start: {load_at_start:.1f}; shared "
        "with other engineers' test runs.",
        *_setup(shape, len(runs)),
        "",
        "| scenario | share of the ceiling: median (runs) | requests/s: median (runs) "
        "| share by CPU | CPU us/request | p50 / p99 ms | failed | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [_row(runs, scenario, ceiling, not_measured) for scenario in scenarios]
    lines += ["", *_verdicts(scenarios, runs, ceiling, not_measured)]
    lines += memory_scenario.report_lines(memory)
    lines += [*_counter_lines(scenarios, runs), "", *_reading()]
    return "\n".join(lines)


def _setup(shape: Shape, runs: int) -> list[str]:
    return [
        "Stack: four gunicorn servers (`-c gunicorn.conf.py`: gthread, its workers and "
        "threads; workers not recycled mid-run; access log to a file) on loopback, "
        "APP_ENV=production with generated secrets, the rate limiter on Redis, Postgres "
        "loaded with 10,000 movies (1-3 genres each), the provider simulator; rate limits "
        "raised far above the load (one user sends it all, and owns 3 collections of 5 "
        "movies). The ceiling is bench/hello.py, a bare Flask hello-world under the same "
        "gunicorn settings; the others are the service as deployed, its counter off, and "
        "the service with PRICE_MAX_AGE_S=1 for the hanging provider.",
        "Prices: stored by the worker's refresh (`flask refresh-prices`, run by the bench) "
        "before the price bursts, at most 40 s before each warm one. Hanging: "
        f'`PUT /_faults/{HANGING} {{"hang": true}}` from the end of the burst\'s warm-up to '
        "its end (each process's first request to meet the hang is measured), "
        "against the server whose stored offers are older than PRICE_MAX_AGE_S, so that "
        "a request that fetched from the providers, or waited for them, would show.",
        f"Load: bench/load.py, {shape.connections} keep-alive connections from one client "
        f"thread on the same machine; per burst {shape.warmup:g} s warm-up, then "
        f"{shape.seconds:g} s measured; {runs} runs, scenario order rotated between "
        "runs. Each share is taken within a run (this burst's requests/s over the ceiling's "
        "in the same run), then the median over the runs. The 304 scenario sends the ETag "
        "of a first GET and counts 304s as answered.",
    ]


def _each(runs: Runs, value: Callable[[dict[Any, Burst]], float]) -> list[float]:
    return [value(run) for run in runs]


def _shares(runs: Runs, scenario: Any, ceiling: Any) -> list[float]:
    return [run[scenario].load.per_second / run[ceiling].load.per_second for run in runs]


def _cpu_shares(runs: Runs, scenario: Any, ceiling: Any) -> list[float]:
    def share(run: dict[Any, Burst]) -> float:
        return run[ceiling].cpu_us_per_request / max(run[scenario].cpu_us_per_request, 1e-9)

    return _each(runs, share)


def _listed(values: list[float], form: str) -> str:
    return f"{statistics.median(values):{form}} ({', '.join(f'{v:{form}}' for v in values)})"


def _p99(runs: Runs, scenario: Any) -> float:
    return statistics.median(run[scenario].load.latency_ms(0.99) for run in runs)


def _measured(runs: Runs, scenario: Any) -> bool:
    return bool(runs) and all(scenario in run for run in runs)


def _met(runs: Runs, scenario: Any, ceiling: Any) -> tuple[bool, str]:
    """Whether the scenario meets its target, and what the target is."""
    wanted = f"≥ {scenario.target:.0%}"
    met = _measured(runs, scenario)
    met = met and statistics.median(_shares(runs, scenario, ceiling)) >= scenario.target
    if scenario.baseline is None:
        return met, wanted
    wanted += f", p99 ≤ {P99_FACTOR:g} x without + {P99_SLACK_MS:g} ms, none failed"
    if not (met and _measured(runs, scenario.baseline)):
        return False, wanted
    bound = _p99(runs, scenario.baseline) * P99_FACTOR + P99_SLACK_MS
    failed = sum(run[scenario].load.failed for run in runs)
    return _p99(runs, scenario) <= bound and failed == 0, wanted


def _row(runs: Runs, scenario: Any, ceiling: Any, not_measured: Mapping[Any, str]) -> str:
    target = ""
    if scenario.target is not None:
        met, wanted = _met(runs, scenario, ceiling)
        target = f"{wanted}: {verdict(met)}"
    if not _measured(runs, scenario):
        reason = not_measured.get(scenario, "not measured")
        return f"| {scenario.label} | {reason} |  |  |  |  |  | {target} |"
    bursts = [run[scenario] for run in runs]
    rates = [burst.load.per_second for burst in bursts]
    middle = sorted(bursts, key=lambda burst: burst.load.per_second)[len(bursts) // 2]
    shares = _shares(runs, scenario, ceiling)
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


def _verdicts(
    scenarios: Sequence[Any], runs: Runs, ceiling: Any, not_measured: Mapping[Any, str]
) -> list[str]:
    lines = []
    for scenario in (s for s in scenarios if s.target is not None):
        met, wanted = _met(runs, scenario, ceiling)
        if not _measured(runs, scenario):
            reason = not_measured.get(scenario, "not measured")
            lines.append(f"- {scenario.label}: {reason}; target {wanted}: {verdict(met)}.")
            continue
        share = statistics.median(_shares(runs, scenario, ceiling))
        figures = f"{share:.0%} of the ceiling"
        if scenario.baseline is not None and _measured(runs, scenario.baseline):
            figures += (
                f", p99 {_p99(runs, scenario):.1f} ms (median of the runs) against "
                f"{_p99(runs, scenario.baseline):.1f} ms without a hang"
            )
        lines.append(f"- {scenario.label}: {figures}; target {wanted}: {verdict(met)}.")
    return lines


def _counter_lines(scenarios: Sequence[Any], runs: Runs) -> list[str]:
    lines = []
    for on in (scenario for scenario in scenarios if scenario.server == "on"):
        off = next((s for s in scenarios if s.server == "off" and s.path == on.path), None)
        if off is not None and _measured(runs, on) and _measured(runs, off):
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
        "requests/s. A hanging provider shows in p99 and in failed requests, not in CPU.",
    ]
