"""Catalog reads from the read cache: strong ETags and 304s, never a stale answer after a
write, one entry per revision and canonical query, and the revision bumped with the write."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from src import revisions
from src.caching import read_cache
from src.catalog import service
from src.catalog.service import CATALOG_REVISION
from src.extensions import db
from tests.support.statements import get_recording_statements

HEAT = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}


@pytest.fixture
def admin_post(client, admin_headers):
    def post(**changes):
        response = client.post("/catalog/movies/", json={**HEAT, **changes}, headers=admin_headers)
        assert response.status_code == 201, response.json
        return response.json

    return post


@pytest.fixture
def heat(admin_post):
    return admin_post(genres=["Crime"], director="Michael Mann", expiry_date="2030-06-01")


def _revision(app):
    with app.app_context():
        return revisions.current(CATALOG_REVISION)


def _reads(movie_id):
    return [
        "/catalog/movies/",
        "/catalog/movies/?q=heat&sort=-release_year,title",
        "/catalog/movies/?genre=crime&page_size=1",
        "/catalog/genres/",
        "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31",
        f"/catalog/movies/{movie_id}/",
    ]


def test_every_catalog_read_has_a_strong_etag_and_asks_clients_to_revalidate(
    client, user_headers, heat
):
    for path in _reads(heat["id"]):
        response = client.get(path, headers=user_headers)
        assert response.status_code == 200, path
        etag = response.headers["ETag"]
        assert etag.startswith('"') and etag.endswith('"'), etag  # strong: no W/
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.mimetype == "application/json"


def test_if_none_match_with_the_current_etag_is_304_without_a_body(client, user_headers, heat):
    for path in _reads(heat["id"]):
        first = client.get(path, headers=user_headers)
        etag = first.headers["ETag"]
        again = client.get(path, headers={**user_headers, "If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b""
        assert again.headers["ETag"] == etag
        assert again.headers["Cache-Control"] == "private, no-cache"
        # The API's security headers, not a web page's.
        policy = first.headers["Content-Security-Policy"]
        assert again.headers["Content-Security-Policy"] == policy


def test_if_none_match_with_another_etag_or_a_list_holding_it(client, user_headers, heat):
    path = "/catalog/movies/"
    etag = client.get(path, headers=user_headers).headers["ETag"]
    other = client.get(path, headers={**user_headers, "If-None-Match": '"other"'})
    assert other.status_code == 200
    assert other.json["count"] == 1
    listed = client.get(path, headers={**user_headers, "If-None-Match": f'"other", {etag}'})
    assert listed.status_code == 304


def test_the_payload_is_the_contracts(client, user_headers, heat):
    page = client.get("/catalog/movies/?page_size=1", headers=user_headers).json
    assert page == {"count": 1, "next": None, "previous": None, "data": [heat]}
    genres = client.get("/catalog/genres/", headers=user_headers).json
    assert genres["data"] == [{"name": "Crime", "movie_count": 1}]
    assert client.get(f"/catalog/movies/{heat['id']}/", headers=user_headers).json == heat


def _etags(client, headers, paths):
    return {path: client.get(path, headers=headers).headers["ETag"] for path in paths}


def _revalidate(client, headers, etags):
    """Each path asked with the ETag it had: its status and body now."""
    answers = {}
    for path, etag in etags.items():
        response = client.get(path, headers={**headers, "If-None-Match": etag})
        answers[path] = (response.status_code, response.json)
    return answers


def test_a_new_movie_with_a_new_genre_is_seen_by_every_read_at_once(
    client, user_headers, heat, admin_post
):
    paths = _reads(heat["id"])
    etags = _etags(client, user_headers, paths)
    admin_post(title="Heat Wave", genres=["Noir"], expiry_date="2030-02-01", release_year=2001)
    answers = _revalidate(client, user_headers, etags)
    unchanged = {paths[2], paths[5]}  # another genre's page, another movie: 304 is right
    assert {path for path, (status, _) in answers.items() if status == 304} == unchanged
    assert answers["/catalog/movies/"][1]["count"] == 2
    searched = answers["/catalog/movies/?q=heat&sort=-release_year,title"][1]
    assert [movie["title"] for movie in searched["data"]] == ["Heat Wave", "Heat"]
    genres = answers["/catalog/genres/"][1]["data"]
    assert genres == [{"name": "Crime", "movie_count": 1}, {"name": "Noir", "movie_count": 1}]
    expired = answers["/catalog/movies/expired/?from=2030-01-01&to=2030-12-31"][1]
    assert [movie["title"] for movie in expired["data"]] == ["Heat Wave", "Heat"]


def test_a_patch_is_seen_by_get_list_search_and_genres_at_once(
    client, user_headers, admin_headers, heat
):
    paths = _reads(heat["id"])
    etags = _etags(client, user_headers, paths)
    change = {"title": "Collateral", "genres": ["Thriller"]}
    patched = client.patch(f"/catalog/movies/{heat['id']}/", json=change, headers=admin_headers)
    assert patched.status_code == 200
    answers = _revalidate(client, user_headers, etags)
    assert {status for status, _ in answers.values()} == {200}
    assert answers[paths[0]][1]["data"][0]["title"] == "Collateral"
    assert answers[paths[1]][1]["count"] == 0  # "heat" no longer matches
    assert answers[paths[2]][1]["count"] == 0  # nor the genre it lost
    assert answers[paths[3]][1]["data"] == [
        {"name": "Crime", "movie_count": 0},
        {"name": "Thriller", "movie_count": 1},
    ]
    assert answers[paths[5]][1] == patched.json


def test_a_replacement_clears_what_it_does_not_send_at_once(
    client, user_headers, admin_headers, heat
):
    path = f"/catalog/movies/{heat['id']}/"
    etag = client.get(path, headers=user_headers).headers["ETag"]
    expired = "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31"
    assert client.get(expired, headers=user_headers).json["count"] == 1
    replaced = client.put(path, json={**HEAT, "rating": 4}, headers=admin_headers)
    assert replaced.status_code == 200
    again = client.get(path, headers={**user_headers, "If-None-Match": etag})
    assert again.status_code == 200
    assert (again.json["rating"], again.json["director"], again.json["genres"]) == (4, None, [])
    assert client.get(expired, headers=user_headers).json["count"] == 0


def test_a_deleted_movie_is_gone_from_every_read_at_once(client, user_headers, admin_headers, heat):
    paths = _reads(heat["id"])
    etags = _etags(client, user_headers, paths)
    deleted = client.delete(f"/catalog/movies/{heat['id']}/", headers=admin_headers)
    assert deleted.status_code == 204
    answers = _revalidate(client, user_headers, etags)
    assert [answers[path][1]["count"] for path in paths[:3]] == [0, 0, 0]
    assert answers[paths[3]][1]["data"] == [{"name": "Crime", "movie_count": 0}]
    assert answers[paths[5]][0] == 404


def test_a_read_answered_once_runs_no_catalog_query_again(app, client, user_headers, heat):
    path = "/catalog/movies/?genre=crime&sort=-release_year,title"
    first = client.get(path, headers=user_headers)
    again, statements = get_recording_statements(client, path, user_headers)
    assert again.json == first.json
    assert not [text for text in statements if "movies" in text or "genres" in text]
    assert [text for text in statements if "revisions" in text]


def test_the_order_of_query_arguments_shares_one_entry_with_its_own_links(
    app, client, user_headers, admin_post
):
    for number in range(3):
        admin_post(title=f"Heat {number}")
    one = client.get("/catalog/movies/?sort=title&page=1&page_size=1", headers=user_headers)
    with app.app_context():
        entries = len(read_cache())
    other = client.get("/catalog/movies/?page_size=1&page=1&sort=title", headers=user_headers)
    with app.app_context():
        assert len(read_cache()) == entries
    assert one.json["data"] == other.json["data"]
    cursor = one.json["next"].rpartition("&cursor=")[2]
    assert (
        one.json["next"]
        == f"http://localhost/catalog/movies/?sort=title&page_size=1&cursor={cursor}"
    )
    assert (
        other.json["next"]
        == f"http://localhost/catalog/movies/?page_size=1&sort=title&cursor={cursor}"
    )
    assert one.headers["ETag"] != other.headers["ETag"]  # two bodies, two validators


def test_links_follow_the_host_the_client_asked(client, user_headers, admin_post):
    for number in range(2):
        admin_post(title=f"Heat {number}")
    path = "/catalog/movies/?page_size=1"
    local = client.get(path, headers=user_headers)
    loopback = client.get(path, headers=user_headers, base_url="http://127.0.0.1")
    assert local.json["next"].startswith("http://localhost/")
    assert loopback.json["next"].startswith("http://127.0.0.1/")
    assert local.headers["ETag"] != loopback.headers["ETag"]


def test_a_page_past_the_end_keeps_its_count_and_previous_link(client, user_headers, admin_post):
    admin_post()
    past = client.get("/catalog/movies/?page=5", headers=user_headers).json
    assert past == {
        "count": 1,
        "next": None,
        "previous": "http://localhost/catalog/movies/?page=1",
        "data": [],
    }


def test_each_write_bumps_the_revision_once(app, client, admin_headers, heat, admin_post):
    before = _revision(app)
    admin_post(title="Another")
    client.patch(f"/catalog/movies/{heat['id']}/", json={"rating": 3}, headers=admin_headers)
    client.put(f"/catalog/movies/{heat['id']}/", json=HEAT, headers=admin_headers)
    client.delete(f"/catalog/movies/{heat['id']}/", headers=admin_headers)
    after = _revision(app)
    assert after.value == before.value + 4
    assert after.stamp != before.stamp


def test_a_write_that_fails_leaves_the_revision_unchanged(app, client, admin_headers, heat):
    before = _revision(app)
    missing = "/catalog/movies/00000000-0000-4000-8000-000000000000/"
    assert client.patch(missing, json={"rating": 3}, headers=admin_headers).status_code == 404
    assert client.delete(missing, headers=admin_headers).status_code == 404
    assert _revision(app) == before


def test_a_write_the_database_refuses_rolls_its_bump_back(app, heat):
    before = _revision(app)
    with app.app_context():
        with pytest.raises(IntegrityError):  # the CHECK on rating, past the schema
            service.create_movie(genres=["New"], **{**HEAT, "rating": 9})
        db.session.rollback()
        assert revisions.current(CATALOG_REVISION) == before


def test_the_spec_documents_the_304_of_every_cached_read(client):
    paths = client.get("/openapi.json").json["paths"]
    cached = [
        "/catalog/movies/",
        "/catalog/movies/expired/",
        "/catalog/movies/{movie_id}/",
        "/catalog/genres/",
        "/collection/",
        "/collection/{collection_uuid}/",
    ]
    assert all("304" in paths[path]["get"]["responses"] for path in cached)
    assert "304" not in paths["/me/"]["get"]["responses"]
