"""A cached read asked again is answered before its view runs (src/repeat_reads.py): the same
bytes and headers its view would give, the links of each request's own host, scheme and
query, 304 for its ETag, a bad query 422 however often it is asked, never an answer of
before a write."""

from __future__ import annotations

import pytest

from tests.support.statements import get_recording_statements

HEAT = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}
UNCOMPARED = {"X-Request-ID"}  # made anew for every request


@pytest.fixture
def movies(client, admin_headers):
    made = []
    for number in range(3):
        body = {**HEAT, "title": f"Heat {number}", "genres": ["Crime"], "expiry_date": "2030-06-01"}
        response = client.post("/catalog/movies/", json=body, headers=admin_headers)
        assert response.status_code == 201, response.json
        made.append(response.json)
    return made


@pytest.fixture
def collection(client, user_headers):
    body = {
        "title": "Weekend",
        "movies": [
            {"title": "Heat", "genres": "Crime", "uuid": "3f1c2b8e-0d5a-4c1e-9a7b-2e6f8d4c1a90"}
        ],
    }
    response = client.post("/collection/", json=body, headers=user_headers)
    assert response.status_code == 201, response.json
    return response.json["collection_uuid"]


def _reads(movie_id, collection_uuid):
    return [
        "/catalog/movies/?page_size=1",
        "/catalog/movies/?page_size=1&page=2",
        "/catalog/movies/?q=heat&page_size=1&page=2",
        "/catalog/movies/?genre=crime&sort=-release_year,title&page_size=2",
        "/catalog/genres/",
        "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31&page_size=1&page=2",
        f"/catalog/movies/{movie_id}/",
        "/collection/",
        f"/collection/{collection_uuid}/",
    ]


def _answer(response):
    headers = sorted((name, value) for name, value in response.headers if name not in UNCOMPARED)
    return response.status_code, headers, response.get_data()


def test_a_read_asked_again_gets_the_same_bytes_and_headers(
    client, user_headers, movies, collection
):
    for path in _reads(movies[0]["id"], collection):
        first = client.get(path, headers=user_headers)
        assert first.status_code == 200, (path, first.json)
        again, statements = get_recording_statements(client, path, headers=user_headers)
        assert _answer(again) == _answer(first), path
        assert not [text for text in statements if "FROM movies" in text], path


def test_a_read_asked_again_with_its_etag_is_304_without_a_body(
    client, user_headers, movies, collection
):
    for path in _reads(movies[0]["id"], collection):
        etag = client.get(path, headers=user_headers).headers["ETag"]
        revalidating = {**user_headers, "If-None-Match": etag}
        answers = [client.get(path, headers=revalidating) for _ in range(2)]
        assert [(a.status_code, a.get_data(), a.headers["ETag"]) for a in answers] == [
            (304, b"", etag)
        ] * 2, path


def test_each_host_and_scheme_asked_gets_its_own_links(client, user_headers, movies):
    path = "/catalog/movies/?page_size=1&sort=title"
    for _ in range(2):
        for origin in ("http://localhost", "http://127.0.0.1:8000", "https://localhost"):
            answer = client.get(path, headers=user_headers, base_url=origin)
            assert answer.json["next"].startswith(
                f"{origin}/catalog/movies/?page_size=1&sort=title"
            )


def test_each_order_of_the_query_gets_links_in_its_own_order(client, user_headers, movies):
    for _ in range(2):
        one = client.get("/catalog/movies/?sort=title&page_size=1&page=2", headers=user_headers)
        other = client.get("/catalog/movies/?page=2&page_size=1&sort=title", headers=user_headers)
        assert (
            one.json["previous"] == "http://localhost/catalog/movies/?sort=title&page_size=1&page=1"
        )
        assert (
            other.json["previous"]
            == "http://localhost/catalog/movies/?page=1&page_size=1&sort=title"
        )
        assert one.json["data"] == other.json["data"]


def test_a_bad_query_is_422_however_often_it_is_asked(client, user_headers, movies):
    for _ in range(3):
        answer = client.get("/catalog/movies/?page_size=1000", headers=user_headers)
        assert (answer.status_code, answer.content_type) == (422, "application/problem+json")
        assert "page_size" in answer.json["errors"]


def test_a_read_asked_again_after_a_write_is_answered_anew(
    client, user_headers, admin_headers, movies
):
    path = "/catalog/movies/?page_size=5"
    before = client.get(path, headers=user_headers)
    assert client.get(path, headers=user_headers).json["count"] == 3
    changed = client.patch(
        f"/catalog/movies/{movies[0]['id']}/", json={"title": "Heat again"}, headers=admin_headers
    )
    assert changed.status_code == 200
    after = client.get(path, headers={**user_headers, "If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert "Heat again" in [movie["title"] for movie in after.json["data"]]
    assert after.headers["ETag"] != before.headers["ETag"]
