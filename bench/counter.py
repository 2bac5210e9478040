"""What counting every request costs, on Postgres: `python -m bench.counter`.

Servers of one shape share one Postgres database: counting off, counting into 32 striped rows,
into one row (REQUEST_COUNTER_SLOTS=1), and striped with REQUEST_COUNTER_DURABLE=false. Each run
loads each of them in turn with a cheap request (GET /healthz, no database work of its own),
and the off and striped servers also with a typical one (an authenticated catalog list over
10,000 movies); the order rotates between runs. Ratios are taken within a run, then the median
over runs. CPU per request (gunicorn plus its Postgres backends) is recorded too: on a shared
machine it is steadier than throughput. After each burst the stored count is compared with the
requests that were sent. `make bench` measures counting on and off with the same bursts.

The stack is bench/stack.py's (production settings, BENCH_DATABASE_URL or TEST_DATABASE_URL,
wiped and loaded). Figures go to bench/BENCHMARKS.md (--no-record to only print them).
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack

from sqlalchemy import Engine

from bench.burst import Burst, Shape, measure
from bench.counter_report import CATALOG, HEALTHZ, report
from bench.report import record
from bench.server import gunicorn
from bench.stack import (
    BenchSetupError,
    bearer,
    bench_database_url,
    prepare_database,
    production_env,
)

CONFIGS = {
    "off": {"REQUEST_COUNTER_ENABLED": "false"},
    "striped": {"REQUEST_COUNTER_SLOTS": "32"},
    "one row": {"REQUEST_COUNTER_SLOTS": "1"},
    "striped, not durable": {"REQUEST_COUNTER_SLOTS": "32", "REQUEST_COUNTER_DURABLE": "false"},
}
# (endpoint, configuration) pairs measured in every run.
SCENARIOS = [(HEALTHZ, name) for name in CONFIGS] + [(CATALOG, "off"), (CATALOG, "striped")]

Run = dict[tuple[str, str], Burst]


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.counter", description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured, per burst")
    parser.add_argument("--warmup", type=float, default=1.5, help="unmeasured, per burst")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per burst, a bound")
    parser.add_argument("--no-record", action="store_true", help="print only")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    try:
        url = bench_database_url()
    except BenchSetupError as exc:
        print(exc)
        return 2
    with tempfile.TemporaryDirectory() as instance:
        env = production_env(url, instance, provider_token=secrets.token_urlsafe(24))
        engine = prepare_database(env)
        runs = _measure(args, env, engine)
    text_report = report(args, runs, url)
    engine.dispose()
    print(text_report)
    if not args.no_record:
        print(f"recorded in {record('counter', text_report)}")
    return 0 if all(burst.exact for run in runs for burst in run.values()) else 1


def _measure(args: argparse.Namespace, env: dict[str, str], engine: Engine) -> list[Run]:
    shape = Shape(args.connections, args.seconds, args.warmup, args.max_requests)
    runs: list[Run] = []
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                gunicorn({**env, **config}, workers=args.workers, threads=args.threads)
            )
            for name, config in CONFIGS.items()
        }
        token = bearer(servers["off"].url)
        for number in range(args.runs):
            shift = number % len(SCENARIOS)
            run: Run = {}
            for endpoint, name in SCENARIOS[shift:] + SCENARIOS[:shift]:
                headers = token if endpoint == CATALOG else None
                run[endpoint, name] = measure(
                    servers[name], endpoint, shape, headers=headers, engine=engine,
                    counting=name != "off",
                )  # fmt: skip
            runs.append(run)
            print(f"run {number + 1}: " + ", ".join(_brief(key, run[key]) for key in run))
    return runs


def _brief(key: tuple[str, str], burst: Burst) -> str:
    endpoint, name = key
    return f"{endpoint.split('?')[0]} {name} {burst.load.per_second:.0f}/s"


if __name__ == "__main__":
    raise SystemExit(main())
