"""The stack the benchmarks run: production settings, Postgres, the provider simulator.

The database comes from BENCH_DATABASE_URL, else TEST_DATABASE_URL. The benchmark owns it:
its public schema is dropped, made again by the migrations, and loaded with the catalog.
Secrets are generated for each run and exist only in the children's environment.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.request import Request, urlopen

from sqlalchemy import Engine, create_engine, text

from bench.catalog_data import load_catalog
from bench.server import run_flask
from config import database_url as driver_url
from tests.support.simulator import RunningSimulator, running_simulator

CATALOG_MOVIES = 10_000
NO_DATABASE = (
    "The benchmarks need a Postgres database they may wipe (its tables are dropped and made\n"
    "again). Set BENCH_DATABASE_URL (or TEST_DATABASE_URL), for example:\n"
    "  BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/movies_bench make bench"
)


class BenchSetupError(RuntimeError):
    """The environment does not give the benchmarks what they need."""


def bench_database_url() -> str:
    """BENCH_DATABASE_URL, else TEST_DATABASE_URL; a Postgres URL, or BenchSetupError."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise BenchSetupError(NO_DATABASE)
    if not url.startswith(("postgres://", "postgresql")):
        raise BenchSetupError(f"Not a Postgres URL: {url.split('://')[0]}://...\n{NO_DATABASE}")
    return url


def production_env(url: str, instance: str, provider_token: str) -> dict[str, str]:
    """APP_ENV=production with strong generated secrets; the rate limits raised far above the
    load (one user sends it all; the limiter still runs, on Redis), tokens that outlive the run."""
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "INSTANCE_DIR": instance,
        "QUEUE_URL": f"sqlite:///{instance}/queue.db",
        "EXPORT_DIR": f"{instance}/exports",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PROVIDER_API_TOKEN": provider_token,
        "ACCESS_TOKEN_MINUTES": "120",
        # Production refuses a per-process limiter store: the machine's Redis, as on a VM.
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/3",
        "METRICS_TOKEN": secrets.token_urlsafe(48),
        "RATELIMIT_DEFAULT": "100000000 per minute",
        "RATELIMIT_AUTH": "1000 per minute",
        "RATELIMIT_ADDRESS": "100000000 per minute",
    }


def with_providers(env: dict[str, str], simulator: RunningSimulator) -> dict[str, str]:
    return {
        **env,
        "CINEMAWORLD_URL": f"{simulator.url}/api/cinemaworld",
        "FILMWORLD_URL": f"{simulator.url}/api/filmworld",
    }


@contextmanager
def provider_simulator(provider_token: str) -> Iterator[RunningSimulator]:
    """The provider simulator on a loopback port, with no faults and its sample data."""
    env = {"PROVIDER_API_TOKEN": provider_token, "SIM_FAULTS": None, "SIM_PROVIDER_DATA_DIR": None}
    with running_simulator(env=env) as simulator:
        yield simulator


def prepare_database(env: dict[str, str], *, movies: int = CATALOG_MOVIES) -> Engine:
    """An empty schema, migrated, with `movies` movies; an engine on it for the caller."""
    engine = create_engine(driver_url(env["DATABASE_URL"]))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    run_flask("db", "upgrade", env=env)
    load_catalog(engine, movies=movies)
    return engine


def bearer(base_url: str) -> dict[str, str]:
    """Register a new user on the server: the Authorization header of its access token."""
    body = {"username": f"bench-{uuid.uuid4().hex[:12]}", "password": secrets.token_urlsafe(16)}
    request = Request(  # noqa: S310 (a loopback URL we made)
        f"{base_url}/register/",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=30) as response:  # noqa: S310
        return {"Authorization": f"Bearer {json.load(response)['access_token']}"}


def get_json(url: str, headers: dict[str, str]) -> object:
    """One GET on loopback, its JSON body (raises on an HTTP error)."""
    with urlopen(Request(url, headers=headers), timeout=30) as response:  # noqa: S310
        return json.load(response)


def get_header(url: str, headers: dict[str, str], name: str) -> str | None:
    """One GET on loopback, the value of one header of its answer (raises on an HTTP error)."""
    with urlopen(Request(url, headers=headers), timeout=30) as response:  # noqa: S310
        response.read()
        return response.headers.get(name)


def post_json(url: str, body: object, headers: dict[str, str]) -> object:
    """One POST of a JSON body on loopback, the JSON it answered (raises on an HTTP error)."""
    request = Request(  # noqa: S310 (a loopback URL we made)
        url, data=json.dumps(body).encode(), headers={**headers, "Content-Type": "application/json"}
    )
    with urlopen(request, timeout=30) as response:  # noqa: S310
        return json.load(response)
