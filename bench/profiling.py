"""Where a request's CPU goes, in process: `python -m bench.profiling [path ...]`.

The app as deployed (production settings, Postgres with 10,000 movies, counter on) is called
through Flask's test client, so what is measured is the app without gunicorn and HTTP parsing.
For each path (default: /healthz, /me/, /prices/movies/, /catalog/movies/): CPU per request of
this process and of its Postgres backends, and the statements it runs; then a cProfile of the
last path, timed by CPU (not wall: the machine is shared), printed by cumulative time. A
deterministic profiler overstates code made of many tiny calls (JWT's base64 checks,
marshmallow's fields), so the catalog list's pieces are also timed one by one, unprofiled.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, event

from bench.burst import backends, cpu_seconds
from bench.stack import (
    BenchSetupError,
    bench_database_url,
    prepare_database,
    production_env,
    provider_simulator,
    with_providers,
)
from bench.stored_prices import StoredPrices

PATHS = ("/healthz", "/me/", "/prices/movies/", "/catalog/movies/")
WARMUP = 50


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__)
    parser.add_argument("paths", nargs="*", default=list(PATHS))
    parser.add_argument("--requests", type=int, default=500, help="per path (500)")
    parser.add_argument("--lines", type=int, default=45, help="profile lines shown (45)")
    args = parser.parse_args(argv)
    try:
        url = bench_database_url()
    except BenchSetupError as exc:
        print(exc)
        return 2
    token = secrets.token_urlsafe(24)
    with (
        tempfile.TemporaryDirectory(prefix="bench-profile-") as instance,
        provider_simulator(token) as simulator,
    ):
        env = with_providers(production_env(url, instance, token), simulator)
        env["ACCESS_LOG"] = "false"  # as gunicorn.conf.py sets it
        engine = prepare_database(env)
        StoredPrices(env).refresh()  # the worker's refresh: /prices/movies/ reads what it stored
        os.environ.update(env)  # this process is the app: its settings come from here
        client, headers = _client()
        for path in args.paths:
            _cost(client, path, headers, engine, args.requests)
        _catalog_pieces(client.application, args.requests)
        _profile(client, args.paths[-1], headers, args.requests, args.lines)
        engine.dispose()
    return 0


def _client() -> tuple[Any, dict[str, str]]:
    from src import create_app

    client = create_app().test_client()
    body = {"username": f"profile-{secrets.token_hex(4)}", "password": secrets.token_urlsafe(16)}
    token = client.post("/register/", json=body).get_json()["access_token"]
    return client, {"Authorization": f"Bearer {token}"}


def _cost(client: Any, path: str, headers: dict[str, str], engine: Engine, count: int) -> None:
    """CPU per request (this process, its Postgres backends) and the statements run."""
    for _ in range(WARMUP):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
    statements: Counter[str] = Counter()

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements[" ".join(statement.split())[:90]] += 1

    pids = backends(engine)
    event.listen(Engine, "before_cursor_execute", note)
    backend_before, started, cpu_before = (
        cpu_seconds(pids),
        time.perf_counter(),
        time.process_time(),
    )
    for _ in range(count):
        client.get(path, headers=headers)
    cpu = (time.process_time() - cpu_before) / count * 1e6
    wall = (time.perf_counter() - started) / count * 1e6
    backend = (cpu_seconds(pids) - backend_before) / count * 1e6
    event.remove(Engine, "before_cursor_execute", note)
    print(f"\nGET {path}: {cpu:.0f} us CPU here, {backend:.0f} us in Postgres, {wall:.0f} us wall")
    for statement, seen in statements.most_common():
        print(f"  {seen / count:.1f} x {statement}")
    print("  (plus, unseen by SQLAlchemy's events: the pool's ping, the rollback, the counter)")


def _catalog_pieces(app: Any, count: int) -> None:
    """CPU of each part of GET /catalog/movies/'s view, timed alone in a request context
    (each statement with the rollback that ends its transaction)."""
    from src.catalog.schemas import MovieSchema
    from src.extensions import db
    from src.pagination import envelope_schema

    with app.test_request_context("/catalog/movies/"):
        pieces, movies = _view_statements()
        print("\nGET /catalog/movies/, its view's pieces one by one (CPU here, us):")
        for label, piece in pieces.items():
            print(f"  {_cpu_us(piece, count, db.session.rollback):6.0f}  {label}")
        envelope = {"count": 10_000, "next": None, "previous": None, "data": movies}
        dumper = envelope_schema(MovieSchema)()
        dump = _cpu_us(lambda: app.json.dumps(dumper.dump(envelope)), count, lambda: None)
        print(f"  {dump:6.0f}  dump 20 movies (marshmallow) and JSON")
        db.session.rollback()


def _view_statements() -> tuple[dict[str, Any], list[Any]]:
    """The catalog list's statements as callables by label; and a page of movies."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import lazyload

    from src.catalog import repository
    from src.catalog.models import Movie
    from src.extensions import db

    statement = repository.search(sort="title")
    page = statement.limit(20)
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    pieces = {
        "page of 20 movies, genres loaded (selectin: 2 statements)": lambda: list(
            db.session.execute(page).scalars()
        ),
        "page of 20 movies, genres not loaded": lambda: list(
            db.session.execute(page.options(lazyload(Movie.genres))).scalars()
        ),
        "count (the page is full, so it runs)": lambda: db.session.execute(count).scalar_one(),
        "SELECT 1 (one round trip through the ORM)": lambda: db.session.execute(select(1)),
    }
    return pieces, list(db.session.execute(page).scalars())


def _cpu_us(piece: Any, count: int, after: Any) -> float:
    for _ in range(WARMUP):
        piece()
        after()
    started = time.process_time()
    for _ in range(count):
        piece()
        after()
    return (time.process_time() - started) / count * 1e6


def _profile(client: Any, path: str, headers: dict[str, str], count: int, lines: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(count):
        client.get(path, headers=headers)
    profiler.disable()
    print(f"\ncProfile of {count} x GET {path} (CPU time, with the profiler's own overhead):")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(lines)


if __name__ == "__main__":
    raise SystemExit(main())
