"""One worker's memory over distinct catalog queries (issue 13: 10,000 of them grow it by
less than 50 MB): every cache must be bounded.

gunicorn -c gunicorn.conf.py -w 1 (its threads), APP_ENV=production; the worker is warmed
up with one repeated query (imports, connections, first-time costs), then its RSS is read
from /proc, the distinct queries are sent once each (filters, search, sort, pages), and RSS
is read again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from bench.burst import with_children
from bench.catalog_data import GENRES
from bench.load import LoadResult, run_load, run_paths
from bench.report import verdict
from bench.server import gunicorn
from bench.stack import CATALOG_MOVIES

TARGET_MB = 50.0
CONNECTIONS = 8
TIME_LIMIT_S = 300.0
SORTS = (
    "title", "-title", "-release_year,title", "rating,-popularity", "director,title",
    "-imdb_score", "length,title", "-created_at", "format,-release_year", "expiry_date",
)  # fmt: skip
PAGE_SIZES = (10, 20, 50, 100)


@dataclass(frozen=True)
class MemoryGrowth:
    queries: int
    before_kb: int
    after_kb: int
    load: LoadResult

    @property
    def growth_mb(self) -> float:
        return (self.after_kb - self.before_kb) / 1024

    @property
    def met(self) -> bool:
        return self.growth_mb < TARGET_MB and self.load.answered == self.queries


def measure_growth(env: dict[str, str], headers: dict[str, str], *, queries: int) -> MemoryGrowth:
    """RSS of a one-worker server before and after `queries` distinct catalog queries."""
    with gunicorn(env, workers=1) as server:
        worker = _only_worker(server.pid)
        warm = f"{server.url}/catalog/movies/"
        run_load(warm, connections=CONNECTIONS, seconds=2.0, max_requests=500, headers=headers)
        before = rss_kb(worker)
        load = run_paths(
            server.url,
            distinct_queries(queries),
            connections=CONNECTIONS,
            seconds=TIME_LIMIT_S,
            headers=headers,
        )
        after = rss_kb(worker)
    return MemoryGrowth(queries=queries, before_kb=before, after_kb=after, load=load)


def _only_worker(master: int) -> int:
    workers = with_children(master)[1:]
    if len(workers) != 1:
        raise RuntimeError(f"expected one gunicorn worker, found {len(workers)}")
    return workers[0]


def rss_kb(pid: int) -> int:
    """The process's resident set size (VmRSS), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def distinct_queries(count: int, *, seed: int = 13) -> list[str]:
    """`count` different catalog list paths, each a valid query with a non-empty page: a
    third searches (q, digits of the titles' numbers), the rest filter by genre or not, with
    a sort, a page and a page size."""
    generator = random.Random(seed)
    paths: dict[str, None] = {}
    while len(paths) < count:
        paths[f"/catalog/movies/?{urlencode(_query(generator))}"] = None
    return list(paths)


def _query(generator: random.Random) -> dict[str, object]:
    page_size = generator.choice(PAGE_SIZES)
    if generator.random() < 1 / 3:
        return {"q": str(generator.randint(0, 9999)), "page_size": page_size}
    genre = generator.choice((None, *GENRES))
    # Every genre has at least this many movies (each movie has 1-3 of them).
    rows = CATALOG_MOVIES if genre is None else CATALOG_MOVIES // len(GENRES)
    query: dict[str, object] = {"genre": genre} if genre else {}
    query |= {"sort": generator.choice(SORTS), "page_size": page_size}
    return query | {"page": generator.randint(1, rows // page_size)}


def report_lines(growth: MemoryGrowth | None) -> list[str]:
    """The verdict line of the memory scenario (none when it was not run)."""
    if growth is None:
        return []
    load = growth.load
    others = {status: n for status, n in load.statuses.items() if status != load.expect}
    answered = f"{load.answered:,} of {growth.queries:,} answered 200"
    answered += f" (otherwise: {dict(others)})" if others else ""
    return [
        f"- Memory of one worker (`gunicorn -w 1`) over {growth.queries:,} distinct catalog "
        f"queries ({answered}, in {load.seconds:.0f} s): RSS {growth.before_kb / 1024:.0f} MB "
        f"before, {growth.after_kb / 1024:.0f} MB after, growth {growth.growth_mb:.1f} MB "
        f"against less than {TARGET_MB:.0f} MB: {verdict(growth.met)}."
    ]
