"""`make bench` (`python -m bench`): the service against its ceiling, its memory, the exports.

One stack (bench/stack.py: production settings, Postgres with 10,000 movies, the provider
simulator) and four gunicorn servers with gunicorn.conf.py's settings, all on loopback
(bench/scenarios.py says which). Every run measures every scenario once, in an order rotated
between runs, with bench/burst.py's bursts; each figure is divided by the ceiling of the
same run, then the median over the runs is taken. Prices are stored by the worker's refresh
before the price bursts (bench/stored_prices.py). Then one worker's memory over distinct
catalog queries (bench/memory.py), then bench.exports' figures. All go to bench/BENCHMARKS.md
(--no-record to only print them).
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import Engine

from bench import exports
from bench.burst import Burst, Shape, measure
from bench.memory import MemoryGrowth, measure_growth
from bench.report import record
from bench.scenarios import HANGING, SCENARIOS, Caller, Request, Scenario, make_caller, request_for
from bench.server import Server, gunicorn
from bench.stack import (
    BenchSetupError,
    bench_database_url,
    prepare_database,
    production_env,
    provider_simulator,
    with_providers,
)
from bench.stored_prices import StoredPrices
from bench.suite_report import report
from tests.support.simulator import RunningSimulator

Run = dict[Scenario, Burst]


@dataclass
class Shared:
    """What the runs share: the servers, the caller, the database, the simulator, the prices."""

    servers: dict[str, Server]
    caller: Caller
    engine: Engine
    simulator: RunningSimulator
    prices: StoredPrices
    not_measured: dict[Scenario, str] = field(default_factory=dict)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0, help="measured, per burst")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured, per burst")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per burst, a bound")
    parser.add_argument("--memory-queries", type=int, default=10_000, help="0: skip it")
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--no-exports", action="store_true", help="skip the export benchmark")
    parser.add_argument("--no-record", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        url = bench_database_url()
    except BenchSetupError as exc:
        print(exc)
        return 2
    shape = Shape(args.connections, args.seconds, args.warmup, args.max_requests)
    load_at_start = os.getloadavg()[0]
    runs, not_measured, memory = _measure_service(url, args.runs, shape, args.memory_queries)
    text = report(
        SCENARIOS,
        runs,
        shape=shape,
        url=url,
        load_at_start=load_at_start,
        not_measured=not_measured,
        memory=memory,
    )
    print(text)
    sections = {"suite": text}
    if not args.no_exports:
        figures, _ = exports.measure(rows=args.export_rows, runs=args.runs)
        sections["exports"] = exports.report(figures, url, by="make bench")
        print(sections["exports"])
    if not args.no_record:
        for name, section in sections.items():
            print(f"recorded in {record(name, section)}")
    return 0 if all(burst.exact for run in runs for burst in run.values()) else 1


def _measure_service(
    url: str, runs: int, shape: Shape, memory_queries: int
) -> tuple[list[Run], dict[Scenario, str], MemoryGrowth | None]:
    provider_token = secrets.token_urlsafe(24)
    with ExitStack() as stack:
        instance = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        simulator = stack.enter_context(provider_simulator(provider_token))
        env = with_providers(production_env(url, instance, provider_token), simulator)
        engine = prepare_database(env)
        stack.callback(engine.dispose)
        servers = {
            "hello": stack.enter_context(gunicorn(env, app="bench.hello:app")),
            "on": stack.enter_context(gunicorn(env)),
            "off": stack.enter_context(gunicorn({**env, "REQUEST_COUNTER_ENABLED": "false"})),
            "hang": stack.enter_context(gunicorn({**env, "PRICE_MAX_AGE_S": "1"})),
        }
        caller = make_caller(servers["on"].url)
        prices = StoredPrices(env)
        prices.check(f"{servers['on'].url}/prices/movies/", caller.headers)
        shared = Shared(servers, caller, engine, simulator, prices)
        measured = [_run(number, shared, shape) for number in range(runs)]
        memory = None
        if memory_queries:
            memory = measure_growth(env, caller.headers, queries=memory_queries)
        return measured, shared.not_measured, memory


def _run(number: int, shared: Shared, shape: Shape) -> Run:
    shift = number % len(SCENARIOS)
    run: Run = {}
    for scenario in SCENARIOS[shift:] + SCENARIOS[:shift]:
        server = shared.servers[scenario.server]
        request = request_for(scenario, server.url, shared.caller)
        if isinstance(request, str):
            shared.not_measured[scenario] = request
            continue
        run[scenario] = _burst(scenario, server, request, shared, shape)
    rates = ", ".join(
        f"{s.path} {s.server} {run[s].load.per_second:.0f}/s" for s in SCENARIOS if s in run
    )
    print(f"run {number + 1}: {rates}", flush=True)
    return run


def _burst(
    scenario: Scenario, server: Server, request: Request, shared: Shared, shape: Shape
) -> Burst:
    """One burst; the prices refreshed first when it needs them; the provider hanging from
    the end of the warm-up on, when it should (so that the first request of each process to
    meet the hang falls within the measured load)."""
    if scenario.prices:
        shared.prices.keep_fresh()
    hang = partial(shared.simulator.set_faults, HANGING, hang=True) if scenario.hang else None
    try:
        return measure(
            server,
            request.path,
            shape,
            headers=request.headers,
            engine=shared.engine if scenario.server != "hello" else None,
            counting=scenario.server == "on",
            expect=request.expect,
            after_warmup=hang,
        )
    finally:
        if scenario.hang:
            shared.simulator.reset_faults()
            shared.prices.disturbed = True
