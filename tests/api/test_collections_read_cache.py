"""A user's collections from the read cache: ETags and 304s, never a stale answer after one
of their writes, untouched by other users' writes, and nothing kept for a deleted user."""

from __future__ import annotations

from sqlalchemy import delete, select

from src import revisions
from src.accounts.models import User
from src.collections_api import service
from src.extensions import db
from tests.conftest import bearer
from tests.support.collections import collection, create, listed


def _etag(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.json
    assert response.headers["Cache-Control"] == "private, no-cache"
    return response.headers["ETag"]


def _asked_with(client, path, headers, etag):
    return client.get(path, headers={**headers, "If-None-Match": etag})


def test_the_list_and_one_collection_answer_304_while_unchanged(client, user_headers):
    uuid = create(client, user_headers, collection(movies=[listed(1)]))
    for path in ("/collection/", f"/collection/{uuid}/"):
        etag = _etag(client, path, user_headers)
        again = _asked_with(client, path, user_headers, etag)
        assert again.status_code == 304
        assert again.data == b""
        assert again.headers["ETag"] == etag


def test_a_new_collection_is_listed_at_once(client, user_headers):
    etag = _etag(client, "/collection/", user_headers)
    create(client, user_headers, collection("Weekend", movies=[listed(1, genres="Western")]))
    listing = _asked_with(client, "/collection/", user_headers, etag)
    assert listing.status_code == 200
    assert [item["title"] for item in listing.json["data"]["collections"]] == ["Weekend"]
    assert listing.json["data"]["favourite_genres"] == "Western"


def test_a_change_is_seen_by_the_list_and_the_collection_at_once(client, user_headers):
    uuid = create(client, user_headers, collection(movies=[listed(1)]))
    paths = ("/collection/", f"/collection/{uuid}/")
    etags = [_etag(client, path, user_headers) for path in paths]
    change = {"title": "Renamed", "movies": [listed(2, genres="Horror")]}
    assert client.put(f"/collection/{uuid}/", json=change, headers=user_headers).status_code == 200
    listing, one = (
        _asked_with(client, path, user_headers, etag)
        for path, etag in zip(paths, etags, strict=True)
    )
    assert (listing.status_code, one.status_code) == (200, 200)
    assert listing.json["data"]["collections"][0]["title"] == "Renamed"
    assert listing.json["data"]["favourite_genres"] == "Horror"
    assert one.json["movies"] == [listed(2, genres="Horror")]


def test_a_deleted_collection_is_gone_at_once(client, user_headers):
    uuid = create(client, user_headers, collection())
    etag = _etag(client, "/collection/", user_headers)
    _etag(client, f"/collection/{uuid}/", user_headers)
    assert client.delete(f"/collection/{uuid}/", headers=user_headers).status_code == 204
    listing = _asked_with(client, "/collection/", user_headers, etag)
    assert listing.status_code == 200
    assert listing.json["data"]["collections"] == []
    assert client.get(f"/collection/{uuid}/", headers=user_headers).status_code == 404


def test_another_users_writes_leave_my_answers_valid(client, register, user_headers):
    create(client, user_headers, collection())
    etag = _etag(client, "/collection/", user_headers)
    other = bearer(register("someone-else")["access_token"])
    create(client, other, collection("Theirs"))
    assert _asked_with(client, "/collection/", user_headers, etag).status_code == 304
    assert client.get("/collection/", headers=other).json["data"]["collections"][0]["title"] == (
        "Theirs"
    )


def test_another_users_collection_is_404_even_once_its_owner_read_it(
    client, register, user_headers
):
    uuid = create(client, user_headers, collection())
    _etag(client, f"/collection/{uuid}/", user_headers)
    other = bearer(register("someone-else")["access_token"])
    assert client.get(f"/collection/{uuid}/", headers=other).status_code == 404


def test_a_new_user_given_a_deleted_users_id_sees_nothing_of_theirs(app, client, register):
    gone = bearer(register("gone-user")["access_token"])
    create(client, gone, collection("Private", movies=[listed(1)]))
    assert client.get("/collection/", headers=gone).json["data"]["collections"] != []
    with app.app_context():
        gone_id = db.session.scalar(select(User.id).where(User.username == "gone-user"))
        db.session.execute(delete(User).where(User.id == gone_id))
        db.session.commit()
        # The user's revision went with the user (ON DELETE CASCADE).
        assert revisions.current(service.revision_name(gone_id)) == revisions.NO_REVISION
    newcomer = bearer(register("newcomer")["access_token"])  # SQLite may give it the same id
    listing = client.get("/collection/", headers=newcomer).json["data"]
    assert listing == {"collections": [], "favourite_genres": ""}


def test_each_write_bumps_the_users_revision_and_a_failed_one_does_not(app, client, user_headers):
    with app.app_context():
        owner_id = db.session.scalar(select(User.id).where(User.username == "reader"))
    name = service.revision_name(owner_id)

    def revision():
        with app.app_context():
            return revisions.current(name)

    uuid = create(client, user_headers, collection())
    after_create = revision()
    client.put(f"/collection/{uuid}/", json={"title": "New"}, headers=user_headers)
    missing = "/collection/00000000-0000-4000-8000-000000000000/"
    assert client.put(missing, json={"title": "x"}, headers=user_headers).status_code == 404
    assert client.delete(missing, headers=user_headers).status_code == 404
    after_put = revision()
    client.delete(f"/collection/{uuid}/", headers=user_headers)
    assert (after_put.value, revision().value) == (after_create.value + 1, after_create.value + 2)
