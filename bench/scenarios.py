"""What `make bench` measures (issues 13 and 14's tables) and what each scenario needs first.

Servers: "hello" (bench/hello.py, the ceiling), "on" (the service as deployed, counter on),
"off" (its counter off) and "hang" (as deployed, but PRICE_MAX_AGE_S=1: its stored offers
are always out of date, so a request that fetched from a provider, or waited for one, would
show it while cinemaworld hangs).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from bench.catalog_data import GENRES
from bench.stack import bearer, get_header, get_json, post_json

GENRE = "Drama"
COLLECTIONS = 3
MOVIES_PER_COLLECTION = 5
HANGING = "cinemaworld"
# A hanging provider must not show in p99: at most this factor of the same request's p99
# without a hang, plus this many ms of the machine's noise. A request that waited for the
# provider would take PRICE_DEADLINE_S (2 s).
P99_FACTOR, P99_SLACK_MS = 2.0, 20.0


@dataclass(frozen=True)
class Scenario:
    label: str
    server: str  # "hello", "on", "off" or "hang" (the module's docstring)
    path: str  # "{movie_id}" is a catalog movie's id
    token: bool = True
    target: float | None = None  # the least share of the ceiling wanted
    revalidate: bool = False  # If-None-Match with the ETag of a first GET: expect 304
    prices: bool = False  # needs the prices stored and fresh
    hang: bool = False  # cinemaworld holds every call during the burst
    baseline: Scenario | None = None  # the same request without a hang: p99 to keep


CEILING = Scenario("hello-world: the ceiling", "hello", "/hello/", token=False)
CATALOG = Scenario("`GET /catalog/movies/` (20 of 10,000)", "on", "/catalog/movies/", target=0.20)
PRICES = Scenario("`GET /prices/movies/` warm", "on", "/prices/movies/", target=0.25, prices=True)
PAGE = Scenario("`GET /`: the customer page", "on", "/", token=False, target=0.30, prices=True)
SCENARIOS = (
    CEILING,
    CATALOG,
    Scenario(
        f"`GET /catalog/movies/?genre={GENRE}&sort=-release_year,title` (repeated)",
        "on",
        f"/catalog/movies/?genre={GENRE}&sort=-release_year,title",
        target=0.18,
    ),
    Scenario("`GET /catalog/movies/<id>/`", "on", "/catalog/movies/{movie_id}/", target=0.22),
    Scenario(
        "`GET /catalog/movies/` with `If-None-Match` (304)",
        "on",
        "/catalog/movies/",
        target=0.30,
        revalidate=True,
    ),
    Scenario("`GET /request-count/`", "on", "/request-count/", target=0.25),
    Scenario("`GET /me/`: the token check alone", "on", "/me/", target=0.28),
    Scenario(f"`GET /collection/` ({COLLECTIONS} collections)", "on", "/collection/", target=0.15),
    Scenario("`GET /healthz`, counter on", "on", "/healthz", token=False, target=0.45),
    Scenario("`GET /healthz`, counter off", "off", "/healthz", token=False),
    PRICES,
    PAGE,
    Scenario(
        f"`GET /prices/movies/`, {HANGING} hanging",
        "hang",
        "/prices/movies/",
        target=PRICES.target,
        hang=True,
        baseline=PRICES,
    ),
    Scenario(
        f"`GET /`, {HANGING} hanging",
        "hang",
        "/",
        token=False,
        target=PAGE.target,
        hang=True,
        baseline=PAGE,
    ),
)


@dataclass(frozen=True)
class Caller:
    """The one user every scenario calls as, with what it made: its collections, the id of
    a catalog movie."""

    headers: dict[str, str]
    movie_id: str


@dataclass(frozen=True)
class Request:
    """What a burst sends: the path, its headers, the status that counts as answered."""

    path: str
    headers: dict[str, str] | None
    expect: int = 200


def make_caller(base_url: str) -> Caller:
    """Register a user, give it its collections, and pick a catalog movie."""
    headers = bearer(base_url)
    for number in range(COLLECTIONS):
        post_json(f"{base_url}/collection/", _collection(number), headers)
    page: Any = get_json(f"{base_url}/catalog/movies/?page_size=1", headers)
    return Caller(headers=headers, movie_id=str(page["data"][0]["id"]))


def _collection(number: int) -> dict[str, object]:
    movies = [
        {
            "title": f"Bench movie {number}-{index}",
            "description": "A movie of the benchmark's collections.",
            "genres": ",".join(GENRES[(number + index + k) % len(GENRES)] for k in range(3)),
            "uuid": str(uuid.uuid4()),
        }
        for index in range(MOVIES_PER_COLLECTION)
    ]
    return {"title": f"Bench collection {number}", "description": "", "movies": movies}


def request_for(scenario: Scenario, base_url: str, caller: Caller) -> Request | str:
    """The request a burst of this scenario sends, or why it cannot be measured."""
    path = scenario.path.format(movie_id=caller.movie_id)
    headers = dict(caller.headers) if scenario.token else None
    if not scenario.revalidate:
        return Request(path, headers)
    etag = get_header(base_url + path, headers or {}, "ETag")
    if not etag:
        return f"not measured: `GET {path}` answered no ETag"
    return Request(path, {**(headers or {}), "If-None-Match": etag}, expect=304)
