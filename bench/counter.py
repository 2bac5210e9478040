"""What counting every request costs, on Postgres: `python -m bench.counter`.

Servers of one shape share one Postgres database: counting off, counting into 32 striped rows,
into one row (REQUEST_COUNTER_SLOTS=1), and striped with REQUEST_COUNTER_DURABLE=false. Each run
loads each of them in turn over 32 keep-alive connections with a cheap request (GET /healthz,
no database work of its own), and the off and striped servers also with a typical one (an
authenticated catalog search); the order rotates between runs. Ratios are taken within a run,
then the median over runs. CPU per request (gunicorn plus its Postgres backends, from /proc) is
recorded too: on a shared machine it is steadier than throughput. After each burst the stored
count is compared with the requests that were answered.

The database comes from BENCH_DATABASE_URL (or TEST_DATABASE_URL): the bench migrates it, adds
the demo movies and a user, and zeroes its request counter. Figures go to bench/BENCHMARKS.md
(--no-record to only print them).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.request import Request, urlopen

from sqlalchemy import Engine, create_engine, text

from bench.cpu import cpu_seconds, with_children
from bench.load import LoadResult, run_load
from bench.report import CATALOG, HEALTHZ, record, report
from bench.server import Server, gunicorn, run_flask
from config import database_url

CONFIGS = {
    "off": {"REQUEST_COUNTER_ENABLED": "false"},
    "striped": {"REQUEST_COUNTER_SLOTS": "32"},
    "one row": {"REQUEST_COUNTER_SLOTS": "1"},
    "striped, not durable": {"REQUEST_COUNTER_SLOTS": "32", "REQUEST_COUNTER_DURABLE": "false"},
}
# (endpoint, configuration) pairs measured in every run.
SCENARIOS = [(HEALTHZ, name) for name in CONFIGS] + [(CATALOG, "off"), (CATALOG, "striped")]


@dataclass(frozen=True)
class Burst:
    """One scenario's measured load, its CPU cost, and whether the count matched."""

    load: LoadResult
    cpu_us_per_request: float
    served: int
    counted: int

    @property
    def exact(self) -> bool:
        return self.counted == self.served


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
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith(("postgres://", "postgresql")):
        print("bench.counter needs a Postgres database it may write to: set BENCH_DATABASE_URL")
        return 2
    engine = create_engine(database_url(url))
    with tempfile.TemporaryDirectory() as instance:
        env = {
            "DATABASE_URL": database_url(url),
            "INSTANCE_DIR": instance,
            "ACCESS_LOG": "false",
            "ACCESS_TOKEN_MINUTES": "120",
        }
        run_flask("db", "upgrade", env=env)
        run_flask("seed", env=env)
        runs = _measure(args, env, engine)
    _zero(engine)
    text_report = report(args, runs, engine)
    engine.dispose()
    print(text_report)
    if not args.no_record:
        print(f"recorded in {record(text_report)}")
    return 0 if all(burst.exact for run in runs for burst in run.values()) else 1


def _measure(args: argparse.Namespace, env: dict[str, str], engine: Engine) -> list[Run]:
    runs: list[Run] = []
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                gunicorn({**env, **config}, workers=args.workers, threads=args.threads)
            )
            for name, config in CONFIGS.items()
        }
        token = {"Authorization": f"Bearer {_register(servers['off'].url)}"}
        for number in range(args.runs):
            shift = number % len(SCENARIOS)
            run: Run = {}
            for endpoint, name in SCENARIOS[shift:] + SCENARIOS[:shift]:
                headers = token if endpoint == CATALOG else None
                run[endpoint, name] = _burst(args, servers[name], endpoint, headers, engine, name)
            runs.append(run)
            print(f"run {number + 1}: " + ", ".join(_brief(key, run[key]) for key in run))
    return runs


def _burst(
    args: argparse.Namespace,
    server: Server,
    endpoint: str,
    headers: dict[str, str] | None,
    engine: Engine,
    name: str,
) -> Burst:
    _zero(engine)
    options = {"connections": args.connections, "max_requests": args.max_requests}
    warm = run_load(server.url + endpoint, seconds=args.warmup, headers=headers, **options)
    processes = with_children(server.pid) + _backends(engine)
    cpu_before = cpu_seconds(processes)
    load = run_load(server.url + endpoint, seconds=args.seconds, headers=headers, **options)
    cpu_used = cpu_seconds(processes) - cpu_before
    sent = warm.answered + warm.failed + load.answered + load.failed
    return Burst(
        load=load,
        cpu_us_per_request=cpu_used * 1e6 / max(1, load.answered + load.failed),
        served=0 if name == "off" else sent,
        counted=_stored(engine),
    )


def _brief(key: tuple[str, str], burst: Burst) -> str:
    endpoint, name = key
    return f"{endpoint.split('?')[0]} {name} {burst.load.per_second:.0f}/s"


def _register(base_url: str) -> str:
    body = {"username": f"bench-{uuid.uuid4().hex[:12]}", "password": uuid.uuid4().hex}
    request = Request(  # noqa: S310 (a loopback URL we made)
        f"{base_url}/register/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=30) as response:  # noqa: S310
        return str(json.load(response)["access_token"])


def _backends(engine: Engine) -> list[int]:
    """The Postgres server processes that serve the benchmarked app's connections."""
    query = text(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND application_name LIKE 'movie-service%'"
    )
    with engine.connect() as connection:
        return [int(pid) for pid in connection.execute(query).scalars()]


def _zero(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE request_counter SET count = 0"))


def _stored(engine: Engine) -> int:
    with engine.connect() as connection:
        total = connection.execute(text("SELECT sum(count) FROM request_counter")).scalar()
    return int(total or 0)


if __name__ == "__main__":
    raise SystemExit(main())
