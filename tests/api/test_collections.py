"""Collections: create, list, read, update, delete, ownership, and how movies are stored
(each collection its own copy: tests/api/test_collections_isolation.py)."""

import uuid

import pytest
from sqlalchemy import func, select

from src.collections_api.models import CollectionMovie
from src.extensions import db
from tests.conftest import bearer
from tests.support.collections import collection, create, listed

# A well-formed uuid that no collection has (a literal: every xdist worker must collect the
# same test ids).
NEVER_MADE = "5b0f7d3e-9c1a-4e8b-a2d6-7f41c9e0b3a5"


@pytest.fixture
def other_headers(register):
    return bearer(register("mallory")["access_token"])


@pytest.fixture
def mine(client, user_headers):
    body = collection("Noir", description="Dark ones", movies=[listed(1), listed(2), listed(3)])
    return create(client, user_headers, body)


def _stored_movies(app):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(CollectionMovie)).scalar_one()


def test_create_answers_201_with_the_uuid(client, user_headers):
    response = client.post(
        "/collection/", json=collection(movies=[listed(1)]), headers=user_headers
    )
    assert response.status_code == 201
    assert list(response.json) == ["collection_uuid"]
    uuid.UUID(response.json["collection_uuid"])


def test_read_returns_title_description_and_movies_in_order(client, user_headers):
    movies = [listed(3), listed(1, genres=""), listed(2, genres="Action,Drama")]
    collection_uuid = create(client, user_headers, collection("Noir", movies=movies))
    response = client.get(f"/collection/{collection_uuid}/", headers=user_headers)
    assert response.status_code == 200
    assert response.json == {"title": "Noir", "description": "Films I like", "movies": movies}


def test_description_and_movies_are_optional(client, user_headers):
    collection_uuid = create(client, user_headers, {"title": "Empty"})
    body = client.get(f"/collection/{collection_uuid}/", headers=user_headers).json
    assert body == {"title": "Empty", "description": "", "movies": []}


def test_list_has_the_contract_shape(client, user_headers, mine):
    second = create(client, user_headers, collection("Later", description=""))
    response = client.get("/collection/", headers=user_headers)
    assert response.status_code == 200
    assert response.json == {
        "is_success": True,
        "data": {
            "collections": [
                {"title": "Noir", "uuid": mine, "description": "Dark ones"},
                {"title": "Later", "uuid": second, "description": ""},
            ],
            "favourite_genres": "Drama",
        },
    }


def test_a_new_user_has_no_collections_and_no_favourites(client, user_headers):
    body = client.get("/collection/", headers=user_headers).json
    assert body == {"is_success": True, "data": {"collections": [], "favourite_genres": ""}}


def test_put_changes_only_the_given_fields(client, user_headers, mine):
    response = client.put(f"/collection/{mine}/", json={"title": "Neo-noir"}, headers=user_headers)
    assert response.status_code == 200
    assert response.json["title"] == "Neo-noir"
    assert response.json["description"] == "Dark ones"
    assert [movie["uuid"] for movie in response.json["movies"]] == [
        listed(n)["uuid"] for n in (1, 2, 3)
    ]
    assert client.get(f"/collection/{mine}/", headers=user_headers).json == response.json


def test_put_movies_replaces_the_whole_list(client, user_headers, mine):
    new_movies = [listed(9), listed(2)]
    response = client.put(f"/collection/{mine}/", json={"movies": new_movies}, headers=user_headers)
    assert response.status_code == 200
    assert response.json["movies"] == new_movies
    assert response.json["title"] == "Noir"
    emptied = client.put(f"/collection/{mine}/", json={"movies": []}, headers=user_headers)
    assert emptied.json["movies"] == []


def test_put_description_may_be_emptied(client, user_headers, mine):
    response = client.put(f"/collection/{mine}/", json={"description": ""}, headers=user_headers)
    assert response.json["description"] == ""


def test_delete_answers_204_and_then_it_is_gone(client, user_headers, mine):
    response = client.delete(f"/collection/{mine}/", headers=user_headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(f"/collection/{mine}/", headers=user_headers).status_code == 404
    assert client.delete(f"/collection/{mine}/", headers=user_headers).status_code == 404
    assert client.get("/collection/", headers=user_headers).json["data"]["collections"] == []


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_another_users_collection_is_404(client, user_headers, other_headers, mine, method):
    kwargs = {"json": {"title": "Mine now"}} if method == "put" else {}
    response = getattr(client, method)(f"/collection/{mine}/", headers=other_headers, **kwargs)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    untouched = client.get(f"/collection/{mine}/", headers=user_headers)
    assert untouched.status_code == 200
    assert untouched.json["title"] == "Noir"


def test_another_user_neither_lists_nor_inherits_favourites(client, other_headers, mine):
    body = client.get("/collection/", headers=other_headers).json
    assert body["data"] == {"collections": [], "favourite_genres": ""}


@pytest.mark.parametrize("path", ["/collection/not-a-uuid/", f"/collection/{NEVER_MADE}/"])
def test_unknown_or_malformed_uuid_is_404(client, user_headers, path):
    response = client.get(path, headers=user_headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/collection/"), ("post", "/collection/"), ("get", f"/collection/{NEVER_MADE}/")],
)
def test_a_token_is_required(client, method, path):
    response = getattr(client, method)(path, json={"title": "x"} if method == "post" else None)
    assert response.status_code == 401


def test_each_collection_stores_its_own_copy_of_a_movie(app, client, user_headers, other_headers):
    create(client, user_headers, collection("A", movies=[listed(1), listed(2)]))
    create(client, user_headers, collection("B", movies=[listed(2), listed(3)]))
    create(client, other_headers, collection("C", movies=[listed(1), listed(3)]))
    assert _stored_movies(app) == 6


def test_deleting_a_collection_removes_its_movies_and_keeps_the_others(
    app, client, user_headers, mine
):
    other = create(client, user_headers, collection("Keep", movies=[listed(2)]))
    client.delete(f"/collection/{mine}/", headers=user_headers)
    assert client.get(f"/collection/{other}/", headers=user_headers).json["movies"] == [listed(2)]
    assert _stored_movies(app) == 1  # nothing is left behind of the deleted one


def test_unicode_and_sql_looking_text_is_kept_intact(client, user_headers):
    movies = [
        listed(1, title="千と千尋の神隠し", genres="Animation,Drama", description="Ünïcödé ✓ 🎬"),
        listed(2, title="Robert'); DROP TABLE collections;--", genres="Drama' OR '1'='1"),
        listed(3, title="Тихий рассвет", genres="ليل,Drama"),
    ]
    body = collection(
        "Ciné 'quoted' \"title\" -- ; %_", description="東京 %' OR 1=1 --", movies=movies
    )
    collection_uuid = create(client, user_headers, body)
    stored = client.get(f"/collection/{collection_uuid}/", headers=user_headers).json
    assert stored == body
    listing = client.get("/collection/", headers=user_headers).json["data"]
    assert listing["collections"][0]["title"] == body["title"]
    assert listing["favourite_genres"] == "Drama, Animation, Drama' OR '1'='1"


def test_a_collection_title_is_trimmed(client, user_headers):
    collection_uuid = create(client, user_headers, {"title": "  Spaced  "})
    assert client.get(f"/collection/{collection_uuid}/", headers=user_headers).json["title"] == (
        "Spaced"
    )
