"""How much a worker grows scanning distinct catalog queries through its read cache.

    BENCH_DATABASE_URL=postgresql://... .venv/bin/python scripts/read_cache_memory.py [--queries N]

The app runs in this process (as a gunicorn worker would) on the benchmarks' database (its
schema dropped, migrated and loaded with 10,000 movies, as `make bench` does), with the
read cache's bounds from the environment (defaults: .env.example). It sends N distinct list
queries (filters, sorts, pages), each answered once and kept, and prints the resident memory
before and after, with what the cache holds.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import secrets
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.catalog_data import GENRES, WORDS  # noqa: E402
from bench.stack import bench_database_url, prepare_database, production_env  # noqa: E402

SORTS = ("title", "-release_year,title", "-rating,title", "director,-popularity", "-updated_at")


def resident_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def distinct_queries(count: int) -> list[str]:
    """Different validated arguments each (so different cache keys), most with full pages."""
    generator = random.Random(13)  # noqa: S311 (repeatable queries, no secret)
    shapes = itertools.cycle(("page", "genre", "q", "rating"))
    queries: set[str] = set()
    while len(queries) < count:
        sort = generator.choice(SORTS)
        shape = next(shapes)
        if shape == "page":
            query = f"sort={sort}&page={generator.randint(1, 500)}"
        elif shape == "genre":
            query = f"genre={generator.choice(GENRES)}&sort={sort}&page={generator.randint(1, 40)}"
        elif shape == "q":
            query = (
                f"q={generator.choice(WORDS).lower()}&sort={sort}&page={generator.randint(1, 30)}"
            )
        else:
            query = f"rating={generator.randint(1, 5)}&sort={sort}&page={generator.randint(1, 90)}"
        queries.add(query)
    return sorted(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=10_000)
    args = parser.parse_args()
    url = bench_database_url()
    with tempfile.TemporaryDirectory(prefix="cache-memory-") as instance:
        env = production_env(url, instance, secrets.token_urlsafe(24))
        env |= {"ACCESS_LOG": "false", "RATELIMIT_STORAGE_URI": "memory://"}
        env |= {"APP_ENV": "development", "RATELIMIT_ENABLED": "false"}
        prepare_database(env).dispose()
        os.environ.update(env)
        from src import create_app
        from src.caching import read_cache

        app = create_app()
        client = app.test_client()
        body = {"username": f"memory-{secrets.token_hex(4)}", "password": secrets.token_urlsafe(16)}
        headers = {
            "Authorization": "Bearer " + client.post("/register/", json=body).json["access_token"]
        }
        queries = distinct_queries(args.queries)
        for query in queries[:200]:  # warm: compiled statements, schemas, first allocations
            client.get(f"/catalog/movies/?{query}&page_size=1", headers=headers)
        with app.app_context():
            read_cache().clear()
        before = resident_mib()
        for number, query in enumerate(queries, start=1):
            response = client.get(f"/catalog/movies/?{query}", headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{query}: {response.get_data(as_text=True)}")
            if number % 2000 == 0:
                print(f"  {number:6d} queries: {resident_mib() - before:6.1f} MiB more")
        after = resident_mib()
        with app.app_context():
            cache = read_cache()
            print(
                f"{len(queries)} distinct queries: resident {before:.1f} -> {after:.1f} MiB "
                f"(+{after - before:.1f} MiB); the cache holds {len(cache)} answers, "
                f"{cache.nbytes / 2**20:.1f} MiB accounted (bounds: {cache.max_entries} "
                f"entries, {cache.max_bytes / 2**20:.1f} MiB)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
