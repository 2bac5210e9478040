"""Two gunicorn instances (two hosts) on one Postgres, each worker with its read cache: a write
on A is seen on B at the very next request, by GET, list, search, count and genres, and B
never answers 304 for what the write changed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL
from tests.e2e.counter_support import admin_headers, delete_test_users, needs_postgres, register
from tests.support.collections import collection, listed
from tests.support.processes import RunningServer, instance_env, migrate, running_gunicorn

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, needs_postgres]

TIMEOUT_S = 10
PREFIX = "cache-e2e-"
# Reads sent to B before and after each write, each on a new connection: gunicorn hands them
# to either of B's workers, so every worker's cache is warm before the write and asked after.
READS = 6
HEAT = {"format": "DVD", "length": 170, "release_year": 1995, "rating": 5}


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, ...]]:
    envs = [
        {
            **instance_env(tmp_path_factory.mktemp(f"cache-host-{name}"), POSTGRES_URL),
            "REQUEST_COUNTER_ENABLED": "false",
        }
        for name in ("a", "b")
    ]
    migrate(envs[0])
    try:
        with (
            running_gunicorn(envs[0], workers=2, threads=2) as host_a,
            running_gunicorn(envs[1], workers=2, threads=2) as host_b,
        ):
            yield host_a, host_b, admin_headers(host_a.url, envs[0]), register(host_a.url)
    finally:
        _delete_test_movies()
        delete_test_users(POSTGRES_URL)


def _delete_test_movies() -> None:
    """Past the app, so with the bump a catalog write makes: no process keeps them."""
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.begin() as connection:
            like = {"prefix": PREFIX + "%"}
            connection.execute(text("DELETE FROM movies WHERE title LIKE :prefix"), like)
            connection.execute(text("DELETE FROM genres WHERE name LIKE :prefix"), like)
            connection.execute(
                text("UPDATE revisions SET value = value + 1, stamp = stamp + 1 WHERE name = :n"),
                {"n": "catalog"},
            )
    finally:
        engine.dispose()


def _get(host: RunningServer, path: str, headers: dict[str, str], etag: str | None = None):
    """One GET on a connection of its own (requests.get opens and closes one)."""
    extra = {"If-None-Match": etag} if etag else {}
    return requests.get(f"{host.url}{path}", headers={**headers, **extra}, timeout=TIMEOUT_S)


def _warm(host: RunningServer, paths: list[str], headers: dict[str, str]) -> dict[str, str]:
    """Every path READS times (each worker answers and keeps it); the ETags they carry."""
    etags = {}
    for _ in range(READS):
        for path in paths:
            response = _get(host, path, headers)
            assert response.status_code in (200, 404), (path, response.text)
            etags[path] = response.headers.get("ETag", "")
    return etags


def _after_write(host, paths, headers, etags) -> dict[str, list[requests.Response]]:
    """Every path READS times, each with the ETag it had before the write."""
    return {path: [_get(host, path, headers, etags[path]) for _ in range(READS)] for path in paths}


def _only(answers: list[requests.Response]) -> requests.Response:
    """The one answer every worker gave (status and body the same from each; a problem's
    request_id is its own)."""

    def seen(answer: requests.Response) -> tuple[int, str]:
        body = answer.json() if answer.content else None
        if isinstance(body, dict):
            body.pop("request_id", None)
        return answer.status_code, repr(body)

    assert len({seen(answer) for answer in answers}) == 1
    return answers[0]


def _movie(host, admin, **fields):
    response = requests.post(
        f"{host.url}/catalog/movies/", json={**HEAT, **fields}, headers=admin, timeout=TIMEOUT_S
    )
    assert response.status_code == 201, response.text
    return response.json()


def _name() -> str:
    return f"{PREFIX}{uuid.uuid4().hex[:8]}"


def _genre_count(page: dict, genre: str) -> int | None:
    return next((item["movie_count"] for item in page["data"] if item["name"] == genre), None)


def test_a_movie_created_on_a_with_a_new_genre_is_seen_on_b_at_once(hosts):
    host_a, host_b, admin, user = hosts
    title, genre = _name(), _name()
    paths = [
        "/catalog/movies/",
        f"/catalog/movies/?q={title}",
        f"/catalog/movies/?genre={genre}&sort=-release_year,title",
        "/catalog/genres/?page_size=100",
    ]
    etags = _warm(host_b, paths, user)
    total = _get(host_b, paths[0], user).json()["count"]
    created = _movie(host_a, admin, title=title, genres=[genre])
    answers = {
        path: _only(found) for path, found in _after_write(host_b, paths, user, etags).items()
    }
    assert {answer.status_code for answer in answers.values()} == {200}
    assert answers[paths[0]].json()["count"] == total + 1
    assert answers[paths[1]].json()["data"] == [created]
    assert answers[paths[2]].json()["count"] == 1
    assert _genre_count(answers[paths[3]].json(), genre) == 1
    assert _get(host_b, f"/catalog/movies/{created['id']}/", user).json() == created


def test_a_patch_and_a_replacement_on_a_are_seen_on_b_at_once(hosts):
    host_a, host_b, admin, user = hosts
    title, genre = _name(), _name()
    created = _movie(host_a, admin, title=title, genres=[genre], director="Michael Mann")
    one = f"/catalog/movies/{created['id']}/"
    paths = [one, f"/catalog/movies/?q={title}", "/catalog/genres/?page_size=100"]
    etags = _warm(host_b, paths, user)
    renamed = _name()
    patch = requests.patch(
        f"{host_a.url}{one}", json={"title": renamed}, headers=admin, timeout=TIMEOUT_S
    )
    assert patch.status_code == 200
    answers = _after_write(host_b, paths[:2], user, etags)
    assert _only(answers[one]).json() == patch.json()
    # The old title matches no movie any more (q also finds near spellings: other test movies
    # of the same prefix may come back, never under the old title).
    assert title not in {movie["title"] for movie in _only(answers[paths[1]]).json()["data"]}
    found = _get(host_b, f"/catalog/movies/?q={renamed}", user).json()["data"]
    assert {movie["id"]: movie["title"] for movie in found}[created["id"]] == renamed

    etags = _warm(host_b, paths, user)
    replace = requests.put(
        f"{host_a.url}{one}", json={**HEAT, "title": renamed}, headers=admin, timeout=TIMEOUT_S
    )
    assert replace.status_code == 200
    answers = _after_write(host_b, [one, paths[2]], user, etags)
    seen = _only(answers[one]).json()
    assert (seen["director"], seen["genres"]) == (None, [])
    assert _genre_count(_only(answers[paths[2]]).json(), genre) == 0


def test_a_movie_deleted_on_a_is_gone_on_b_at_once(hosts):
    host_a, host_b, admin, user = hosts
    title = _name()
    created = _movie(host_a, admin, title=title)
    one = f"/catalog/movies/{created['id']}/"
    paths = [one, f"/catalog/movies/?q={title}", "/catalog/movies/"]
    etags = _warm(host_b, paths, user)
    total = _get(host_b, paths[2], user).json()["count"]
    deleted = requests.delete(f"{host_a.url}{one}", headers=admin, timeout=TIMEOUT_S)
    assert deleted.status_code == 204
    answers = _after_write(host_b, paths, user, etags)
    assert _only(answers[one]).status_code == 404
    found = _only(answers[paths[1]]).json()["data"]
    assert created["id"] not in {movie["id"] for movie in found}
    assert _only(answers[paths[2]]).json()["count"] == total - 1


def test_an_etag_from_a_is_304_on_b_until_a_write_on_a_changes_the_answer(hosts):
    host_a, host_b, admin, user = hosts
    created = _movie(host_a, admin, title=_name())
    one = f"/catalog/movies/{created['id']}/"
    etag = _get(host_a, one, user).headers["ETag"]
    assert {_get(host_b, one, user, etag).status_code for _ in range(READS)} == {304}
    patch = requests.patch(
        f"{host_a.url}{one}", json={"rating": 2}, headers=admin, timeout=TIMEOUT_S
    )
    assert patch.status_code == 200
    after = [_get(host_b, one, user, etag) for _ in range(READS)]
    assert {answer.status_code for answer in after} == {200}
    assert _only(after).json()["rating"] == 2
    assert {answer.headers["ETag"] for answer in after} == {_get(host_a, one, user).headers["ETag"]}


def test_collection_changes_on_a_are_seen_on_b_at_once(hosts):
    host_a, host_b, _, _ = hosts
    owner = register(host_a.url)
    etags = _warm(host_b, ["/collection/"], owner)
    made = requests.post(
        f"{host_a.url}/collection/",
        json=collection("Weekend", movies=[listed(1, genres="Western")]),
        headers=owner,
        timeout=TIMEOUT_S,
    )
    assert made.status_code == 201
    uuid_path = f"/collection/{made.json()['collection_uuid']}/"
    listing = _only(_after_write(host_b, ["/collection/"], owner, etags)["/collection/"]).json()
    assert [item["title"] for item in listing["data"]["collections"]] == ["Weekend"]
    assert listing["data"]["favourite_genres"] == "Western"

    paths = ["/collection/", uuid_path]
    etags = _warm(host_b, paths, owner)
    change = {"title": "Long weekend", "movies": [listed(2, genres="Horror")]}
    put = requests.put(f"{host_a.url}{uuid_path}", json=change, headers=owner, timeout=TIMEOUT_S)
    assert put.status_code == 200
    answers = _after_write(host_b, paths, owner, etags)
    assert _only(answers["/collection/"]).json()["data"]["favourite_genres"] == "Horror"
    assert _only(answers[uuid_path]).json()["movies"] == [listed(2, genres="Horror")]

    etags = _warm(host_b, paths, owner)
    gone = requests.delete(f"{host_a.url}{uuid_path}", headers=owner, timeout=TIMEOUT_S)
    assert gone.status_code == 204
    answers = _after_write(host_b, paths, owner, etags)
    assert _only(answers["/collection/"]).json()["data"]["collections"] == []
    assert _only(answers[uuid_path]).status_code == 404
