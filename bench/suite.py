"""`make bench` (`python -m bench`): the service against its ceiling, then the exports.

One stack (bench/stack.py: production settings, Postgres with 10,000 movies, the provider
simulator) and three gunicorn servers with gunicorn.conf.py's settings, all on loopback: a
bare Flask hello-world (bench/hello.py, the ceiling), the service as deployed (request counter
on) and the service with the counter off. Every run measures every scenario once, in an order
rotated between runs, with bench/burst.py's bursts; each figure is divided by the ceiling of
the same run, then the median over the runs is taken. Then bench.exports' figures. Both go to
bench/BENCHMARKS.md (--no-record to only print them).
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bench import exports
from bench.burst import Burst, Shape, measure
from bench.report import record
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
from bench.suite_report import report


@dataclass(frozen=True)
class Scenario:
    label: str
    server: str  # "hello", "on" (the service as deployed) or "off" (its counter off)
    path: str
    token: bool = True
    target: float | None = None  # the least share of the ceiling wanted (issue 9)


CEILING = Scenario("hello-world: the ceiling", "hello", "/hello/", token=False)
SCENARIOS = (
    CEILING,
    Scenario("`GET /catalog/movies/` (20 of 10,000)", "on", "/catalog/movies/", target=0.35),
    Scenario("`GET /prices/movies/` warm", "on", "/prices/movies/", target=0.50),
    Scenario("`GET /request-count/`", "on", "/request-count/"),
    Scenario("`GET /me/`: the token check alone", "on", "/me/"),
    Scenario("`GET /healthz`, counter on", "on", "/healthz", token=False),
    Scenario("`GET /healthz`, counter off", "off", "/healthz", token=False),
    Scenario("`GET /catalog/movies/`, counter off", "off", "/catalog/movies/"),
)
Run = dict[Scenario, Burst]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured, per burst")
    parser.add_argument("--warmup", type=float, default=1.5, help="unmeasured, per burst")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per burst, a bound")
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
    runs = _measure_service(url, args.runs, shape)
    text = report(SCENARIOS, runs, shape=shape, url=url, load_at_start=load_at_start)
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


def _measure_service(url: str, runs: int, shape: Shape) -> list[Run]:
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
        }
        headers = bearer(servers["on"].url)
        _check_prices(servers["on"], headers)
        return [_run(number, servers, headers, engine, shape) for number in range(runs)]


def _check_prices(server: Server, headers: dict[str, str]) -> None:
    """Fetch the offers once, so that the price scenario is warm; both providers must answer."""
    answer: Any = get_json(f"{server.url}/prices/movies/", headers)
    statuses = {name: state["status"] for name, state in answer["providers"].items()}
    if set(statuses.values()) != {"ok"} or not answer["data"]:
        raise RuntimeError(f"prices are not warm: {statuses}")


def _run(
    number: int, servers: dict[str, Server], headers: dict[str, str], engine: Engine, shape: Shape
) -> Run:
    shift = number % len(SCENARIOS)
    run: Run = {}
    for scenario in SCENARIOS[shift:] + SCENARIOS[:shift]:
        run[scenario] = measure(
            servers[scenario.server],
            scenario.path,
            shape,
            headers=headers if scenario.token else None,
            engine=engine if scenario.server != "hello" else None,
            counting=scenario.server == "on",
        )
    rates = ", ".join(f"{s.path} {s.server} {run[s].load.per_second:.0f}/s" for s in SCENARIOS)
    print(f"run {number + 1}: {rates}", flush=True)
    return run
