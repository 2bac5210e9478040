"""The read cache's bounds hold through the app: over READ_CACHE_MAX_ENTRIES or
READ_CACHE_MAX_BYTES the least recently used answers are evicted, and answers stay right."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from src import create_app
from src.caching import read_cache
from tests.conftest import settings_for_tests
from tests.support.statements import get_recording_statements

HEAT = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}


def _bounded_app(app: Flask, **bounds: int) -> Flask:
    """An app on the test database (its rolled-back session too) with these cache bounds."""
    config = app.config
    settings = settings_for_tests(config["SQLALCHEMY_DATABASE_URI"], config["INSTANCE_PATH"])
    return create_app({**settings, **bounds})


@pytest.fixture(scope="module")
def three_entries(app: Flask) -> Iterator[Flask]:
    yield _bounded_app(app, READ_CACHE_MAX_ENTRIES=3)


@pytest.fixture(scope="module")
def sixteen_kib(app: Flask) -> Iterator[Flask]:
    yield _bounded_app(app, READ_CACHE_MAX_ENTRIES=10_000, READ_CACHE_MAX_BYTES=16 * 1024)


@pytest.fixture
def movies(client, admin_headers):
    for number in range(3):
        body = {
            **HEAT,
            "title": f"Heat {number}",
            "genres": ["Crime"],
            "expiry_date": f"2030-01-0{number + 1}",
        }
        assert client.post("/catalog/movies/", json=body, headers=admin_headers).status_code == 201


def _catalog_statements(client, path, headers):
    response, statements = get_recording_statements(client, path, headers)
    return response, [text for text in statements if "FROM movies" in text]


def test_over_the_entry_bound_the_least_recently_used_answer_is_evicted(
    three_entries, rollback_db, movies, user_headers
):
    client = three_entries.test_client()
    with three_entries.app_context():
        read_cache().clear()
    # The expired list keeps one entry an answer (the search keeps its count apart).
    expired = "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31"
    paths = [f"{expired}&page_size=1&page={page}" for page in (1, 2, 3)]
    for path in paths:
        assert client.get(path, headers=user_headers).status_code == 200
    # Page 1 used again: page 2 is now the least recently used, and the next one evicts it.
    assert _catalog_statements(client, paths[0], user_headers)[1] == []
    assert client.get(f"{expired}&page_size=5", headers=user_headers).json["count"] == 3
    with three_entries.app_context():
        assert len(read_cache()) == 3
    assert _catalog_statements(client, paths[0], user_headers)[1] == []
    again, statements = _catalog_statements(client, paths[1], user_headers)
    assert statements  # computed again
    assert [movie["title"] for movie in again.json["data"]] == ["Heat 1"]


def test_over_the_byte_bound_answers_are_evicted_until_it_holds(
    sixteen_kib, rollback_db, movies, user_headers
):
    client = sixteen_kib.test_client()
    with sixteen_kib.app_context():
        cache = read_cache()
        cache.clear()
    for number in range(60):
        response = client.get(
            f"/catalog/movies/?q=heat&page_size=1&page={number + 1}", headers=user_headers
        )
        assert response.json["count"] == 3
        assert cache.nbytes <= 16 * 1024
    assert 10 < len(cache) < 60
    first, statements = _catalog_statements(
        client, "/catalog/movies/?q=heat&page_size=1&page=1", user_headers
    )
    assert statements  # the oldest was evicted: computed again, and right
    assert len(first.json["data"]) == 1
