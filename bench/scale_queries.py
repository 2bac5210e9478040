"""The query half of the scale benchmark: single-client latency of distinct catalog queries
at a million movies, and the plans Postgres runs them with.

`measure(database_url)` expects a migrated Postgres that already holds the catalog (the
import command, or bench/scale_catalog.py for a quick COPY). Each request goes through the
app (test client: routing, token check, revision lookup, query, dump, JSON) and has a query
string of its own, so the read cache never answers its page; the exact count is kept once
per revision and filters by design, so a filter that repeats (none: the first page, page
5,000, the cursor) has its count computed by one warm-up request, not measured.
`python -m bench.scale_queries URL` prints the report and records it in BENCHMARKS.md;
`--print-only` (with `--kind` and `--slowest`) measures an already-loaded database by hand.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bench.catalog_data import FORMATS, GENRES
from bench.report import machine, measured_at, record
from config import database_url as driver_url
from src.collector import settle_collector

SAMPLES = 100
TARGET_P50_MS, TARGET_P99_MS = 30.0, 100.0
SORTS = ["title", "-title", "release_year", "-release_year", "rating", "-rating", "length",
         "-length", "format", "-format", "director", "-director", "expiry_date", "-expiry_date",
         "imdb_score", "-imdb_score", "popularity", "-popularity", "created_at", "-created_at",
         "updated_at", "-updated_at"]  # fmt: skip
LIST, EXPIRED = "/catalog/movies/", "/catalog/movies/expired/"
# The statements whose plans are shown (the others, set_config and the revision, only run).
_CATALOG_TABLES = ("FROM movies", "movie_words", "catalog_words", "catalog_genre_counts")


def _first_pages(_: Any) -> Iterator[str]:
    for number in range(SAMPLES):
        yield f"{LIST}?sort={SORTS[number % len(SORTS)]}&page_size={20 + number // len(SORTS)}"


def _page_5000(_: Any) -> Iterator[str]:
    for number in range(SAMPLES):
        sort = ("title", "-title")[number % 2]
        yield f"{LIST}?page=5000&page_size={20 + number // 2}&sort={sort}"  # all distinct


def _deep_cursors(app: Any) -> Iterator[str]:
    """Cursors after movies drawn at random from the table: uniform positions in the walk,
    half of them past the 500,000th movie."""
    from src.caching import canonical
    from src.catalog import keyset
    from src.catalog.models import Movie
    from src.extensions import db

    keys = keyset.parse_sort("title")
    with app.app_context():
        ids = db.session.scalars(
            text("SELECT id FROM movies TABLESAMPLE SYSTEM (1) LIMIT :n"), {"n": SAMPLES}
        ).all()
        cursors = [
            keyset.encode(
                db.session.get(Movie, movie_id), keys, query_key=canonical({"sort": "title"})
            )
            for movie_id in ids
        ]
    for cursor in cursors:
        yield f"{LIST}?sort=title&page_size=20&cursor={cursor}"


def _filtered(_: Any) -> Iterator[str]:
    generator = random.Random(5)
    for _number in range(SAMPLES):
        genre, movie_format = generator.choice(GENRES), generator.choice(FORMATS)
        year = generator.randint(1920, 2026)
        yield f"{LIST}?genre={genre}&format={movie_format}&release_year={year}"


def _typo(word: str, generator: random.Random) -> str:
    """Two different neighbouring letters of word swapped, neither the first nor the last."""
    middle = generator.choice([at for at in range(1, len(word) - 2) if word[at] != word[at + 1]])
    return word[:middle] + word[middle + 1] + word[middle] + word[middle + 2 :]


def _typos(app: Any) -> Iterator[str]:
    """Letter words of titles only (a swap in a title's number names another movie exactly);
    a page size of each sample's own, so a q drawn twice still has its page computed."""
    from src.extensions import db

    generator = random.Random(7)
    with app.app_context():
        titles = db.session.scalars(
            text("SELECT title FROM movies TABLESAMPLE SYSTEM (1) LIMIT :n"), {"n": SAMPLES * 3}
        ).all()
    words = [word for title in titles for word in title.split() if len(word) >= 6]
    letters = [word.lower() for word in words if word.isalpha() and len(set(word[1:-1])) > 1]
    for number, word in enumerate(generator.sample(letters, SAMPLES)):
        yield f"{LIST}?q={_typo(word, generator)}&page_size={1 + number}"


def _expired(_: Any) -> Iterator[str]:
    for number in range(SAMPLES):
        start = date(2026, 1, 1) + timedelta(days=number * 17)
        yield f"{EXPIRED}?from={start}&to={start + timedelta(days=30)}"


KINDS: list[tuple[str, Callable[[Any], Iterator[str]]]] = [
    ("first page, each of the 22 single-column sorts in turn", _first_pages),
    ("page 5,000 (page_size 20-69: offset 100,000-345,000), by title either way", _page_5000),
    ("a cursor page after a random movie (median position 500,000), by title", _deep_cursors),
    ("genre + format + release_year", _filtered),
    ("`q` with a typo (two letters swapped in a title word), page_size 1-100", _typos),
    ("expired in a 30-day range", _expired),
]


def _app(database_url: str) -> Any:
    from src import create_app

    overrides = {"ACCESS_LOG": False, "RATELIMIT_ENABLED": False}
    app = create_app({**overrides, "SQLALCHEMY_DATABASE_URI": driver_url(database_url)})
    app.config["REQUEST_COUNTER_ENABLED"] = False
    settle_collector()  # as gunicorn.conf.py's post_worker_init does in each worker
    return app


def _headers(client: Any) -> dict[str, str]:
    body = {"username": f"scale-{secrets.token_hex(4)}", "password": secrets.token_urlsafe(16)}
    token = client.post("/register/", json=body).get_json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _timed(client: Any, headers: dict[str, str], paths: list[str]) -> list[float]:
    client.get(paths[0].split("&", 1)[0], headers=headers)  # a warm-up: the count kept
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.get_data(as_text=True))
    return timings


@contextmanager
def _statements() -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def _plans(app: Any, client: Any, headers: dict[str, str], path: str) -> list[str]:
    """EXPLAIN ANALYZE of the catalog statements one request runs, in the order it ran them."""
    from src.caching import read_cache
    from src.extensions import db

    read_cache(app).clear()  # the plans of a request the cache does not answer
    with _statements() as seen:
        client.get(path, headers=headers)
    plans = []
    with app.app_context():
        cursor = db.session.connection().connection.cursor()
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            if not any(table in statement for table in _CATALOG_TABLES):
                cursor.execute(statement, parameters)  # set_config, the revision: as ran
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
        db.session.rollback()
    return plans


def _percentile(timings: list[float], share: float) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(database_url: str, *, kinds: list[str] | None = None, slowest: int = 0) -> str:
    """The markdown report: p50/p99 a query kind, targets, and each kind's plans (only the
    kinds whose label contains one of `kinds` when given; the `slowest` samples of each with
    their timings on stderr)."""
    app = _app(database_url)
    client = app.test_client()
    headers = _headers(client)
    with app.app_context():
        from src.extensions import db

        movies = db.session.execute(text("SELECT count(*) FROM movies")).scalar_one()
        started = time.perf_counter()
        db.session.execute(text("SELECT count(*) FROM movies")).scalar_one()
        whole_count_ms = (time.perf_counter() - started) * 1000
    rows, plans = [], []
    for label, make in KINDS:
        if kinds and not any(kind in label for kind in kinds):
            continue
        paths = list(make(app))
        print(label, file=sys.stderr, flush=True)
        timings = _timed(client, headers, paths)
        for took, path in sorted(zip(timings, paths, strict=True), reverse=True)[:slowest]:
            print(f"  {took:8.1f} ms  {path}", file=sys.stderr, flush=True)
        p50, p99 = statistics.median(timings), _percentile(timings, 0.99)
        met = "met" if p50 < TARGET_P50_MS and p99 < TARGET_P99_MS else "**NOT met**"
        rows.append(f"| {label} | {len(paths)} | {p50:.1f} | {p99:.1f} | {met} |")
        plans.append((label, paths[len(paths) // 2], _plans(app, client, headers, paths[0])))
    return _report(database_url, movies, whole_count_ms, rows, plans)


def _report(url: str, movies: int, whole_count_ms: float, rows: list[str], plans: Any) -> str:
    lines = [
        "## Search at 1,000,000 movies (issue 16, `bench/scale_queries.py`)",
        "",
        f"Measured {measured_at()}. Machine: {machine(url)}",
        f"Catalog: {movies:,} movies. One client, requests through the app's test client "
        "(no HTTP server, no request counter), every query string distinct so the read "
        "cache never answers the page; the whole catalog's count is kept once per revision "
        f"(one warm-up request a kind; `SELECT count(*)` of the table alone took "
        f"{whole_count_ms:.0f} ms). Targets: p50 < {TARGET_P50_MS:.0f} ms, "
        f"p99 < {TARGET_P99_MS:.0f} ms.",
        "",
        "| query | samples | p50 ms | p99 ms | target |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "### Plans (EXPLAIN (ANALYZE, BUFFERS) of the first sample's statements)",
    ]
    for label, _example, statements in plans:
        lines += ["", f"#### {label}", ""]
        for plan in statements:
            lines += ["```", plan, "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_queries", description=__doc__)
    parser.add_argument("url", help="a migrated Postgres database that holds the catalog")
    parser.add_argument(
        "--print-only", action="store_true", help="print the report, record nothing"
    )
    parser.add_argument(
        "--kind", action="append", help="only the kinds whose label contains this (repeatable)"
    )
    parser.add_argument(
        "--slowest", type=int, default=0, help="print the N slowest samples of each kind"
    )
    options = parser.parse_args(argv)
    report = measure(options.url, kinds=options.kind, slowest=options.slowest)
    print(report)
    if not options.print_only:
        print(record("scale_queries", report))


if __name__ == "__main__":
    main()
