"""One price provider hanging under load: `python -m bench.prices [--no-record]`.

The prices are stored first by the worker's refresh (`flask refresh-prices`), then are older
than PRICE_MAX_AGE_S=1 while cinemaworld holds every call from the first measured run on (a
request that fetches from a provider, or waits for one, does it then); p99 must stay within
PRICE_DEADLINE_S + 100 ms and no request may fail. 3 runs; medians reported, the verdict on
the worst run. `make bench` (bench/suite.py) has the warm figures against the ceiling, and the
same with a provider hanging. Stack and database as bench/stack.py says; everything on
127.0.0.1, and it stops by itself.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
from collections.abc import Sequence
from typing import Any

from bench.load import LoadResult, run_load
from bench.report import machine, measured_at, record, verdict
from bench.server import Server, gunicorn
from bench.stack import (
    BenchSetupError,
    bearer,
    bench_database_url,
    get_json,
    prepare_database,
    production_env,
    provider_simulator,
    with_providers,
)
from bench.stored_prices import StoredPrices
from tests.support.simulator import RunningSimulator

CONNECTIONS = 16
RUNS = 3
DEADLINE_S = 2.0
MAX_REQUESTS = 200_000


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.prices", description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0, help="per run (10)")
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args(argv)
    try:
        url = bench_database_url()
    except BenchSetupError as exc:
        print(exc)
        return 2
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory() as instance, provider_simulator(token) as simulator:
        env = with_providers(production_env(url, instance, token), simulator)
        env |= {"PRICE_MAX_AGE_S": "1", "PRICE_DEADLINE_S": str(DEADLINE_S)}
        prepare_database(env).dispose()
        with gunicorn(env) as server:
            StoredPrices(env).check(f"{server.url}/prices/movies/", bearer(server.url))
            results, seen = hanging(server, simulator, args.seconds)
    figures = summary(results)
    text = report(figures, seen, args.seconds, url)
    print(text)
    if not args.no_record:
        print(f"recorded in {record('prices', text)}")
    return 0 if figures["ok"] else 1


def hanging(
    server: Server, simulator: RunningSimulator, seconds: float
) -> tuple[list[LoadResult], set[str]]:
    """Warm every worker up, then hang cinemaworld for the measured runs."""
    headers = bearer(server.url)
    url = f"{server.url}/prices/movies/"
    get_json(url, headers)
    run_load(url, headers=headers, connections=CONNECTIONS, seconds=1.0, max_requests=MAX_REQUESTS)
    # The hang starts with the first measured run, so that it holds each worker's first
    # wait for cinemaworld (one deadline per process), not only the steady state after.
    simulator.set_faults("cinemaworld", hang=True)
    try:
        results = [
            run_load(
                url,
                headers=headers,
                connections=CONNECTIONS,
                seconds=seconds,
                max_requests=MAX_REQUESTS,
            )  # fmt: skip
            for _ in range(RUNS)
        ]
        last: Any = get_json(url, headers)
    finally:
        simulator.reset_faults()
    seen = {f"{name}: {state['status']}" for name, state in last["providers"].items()}
    return results, seen


def summary(results: list[LoadResult]) -> dict[str, Any]:
    """Medians over the runs of p50, p99 (ms), throughput; the worst run's p99; totals."""
    p99s = [result.latency_ms(0.99) for result in results]
    failed = sum(result.failed for result in results)
    return {
        "p50_ms": statistics.median(result.latency_ms(0.50) for result in results),
        "p99_ms": statistics.median(p99s),
        "p99s_ms": p99s,
        "max_ms": max(max(result.latencies_ms, default=0.0) for result in results),
        "rps": statistics.median(result.per_second for result in results),
        "requests": sum(len(result.latencies_ms) for result in results),
        "failed": failed,
        "ok": max(p99s) <= DEADLINE_S * 1000 + 100 and failed == 0,
    }


def report(figures: dict[str, Any], seen: set[str], seconds: float, url: str) -> str:
    budget_ms = DEADLINE_S * 1000 + 100
    p99s = ", ".join(f"{p99:.0f}" for p99 in figures["p99s_ms"])
    return f"""## Prices: one provider hanging

Measured {measured_at()} by `python -m bench.prices`.
Machine: {machine(url)}.
gunicorn -c gunicorn.conf.py (gthread, its workers and threads), APP_ENV=production, Postgres,
PRICE_MAX_AGE_S=1, PRICE_DEADLINE_S={DEADLINE_S:g}; the simulator and the load generator
(bench/load.py) on the same machine over loopback: {CONNECTIONS} connections, {RUNS} runs of
{seconds:g} s after a 1 s warm-up, cinemaworld hanging from the first measured run on.

| p50 ms | p99 ms: median (runs) | slowest ms | req/s | requests | failed |
|---:|---:|---:|---:|---:|---:|
| {figures["p50_ms"]:.1f} | {figures["p99_ms"]:.0f} ({p99s}) | {figures["max_ms"]:.0f} \
| {figures["rps"]:.0f} | {figures["requests"]} | {figures["failed"]} |

Worst run's p99 against PRICE_DEADLINE_S + 100 ms = {budget_ms:.0f} ms, none failed: \
{verdict(figures["ok"])}. The answer at the end: {", ".join(sorted(seen))}.

A request that waits for the hanging provider takes up to PRICE_DEADLINE_S (a request
queued in gunicorn behind such waits, on a busy CPU, a little longer: the "slowest" figure);
one that only reads the stored offers answers them as stale at once.
"""


if __name__ == "__main__":
    raise SystemExit(main())
