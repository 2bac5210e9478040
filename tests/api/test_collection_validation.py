"""Every limit of a collection's body, on create and on update."""

import pytest

from tests.support.collections import collection, create, listed


def _post(client, headers, body):
    return client.post("/collection/", json=body, headers=headers)


def _assert_422(response, field):
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json


@pytest.mark.parametrize(
    ("title", "status"),
    [("", 422), ("   ", 422), ("x", 201), ("x" * 200, 201), ("x" * 201, 422), ("é" * 200, 201)],
)
def test_title_is_1_to_200_characters(client, user_headers, title, status):
    response = _post(client, user_headers, collection(title))
    assert response.status_code == status, response.json


@pytest.mark.parametrize(("length", "status"), [(0, 201), (2000, 201), (2001, 422)])
def test_description_is_at_most_2000_characters(client, user_headers, length, status):
    response = _post(client, user_headers, collection(description="ü" * length))
    assert response.status_code == status, response.json


def test_a_title_is_required(client, user_headers):
    _assert_422(_post(client, user_headers, {"description": "no title"}), "title")


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", None), ("title", 5), ("description", None), ("description", ["x"]), ("movies", {})],
)
def test_wrong_types_are_422(client, user_headers, field, value):
    _assert_422(_post(client, user_headers, {**collection(), field: value}), field)


def test_1000_movies_are_accepted(client, user_headers):
    movies = [listed(number, genres="Drama,Comedy") for number in range(1000)]
    collection_uuid = create(client, user_headers, collection(movies=movies))
    stored = client.get(f"/collection/{collection_uuid}/", headers=user_headers).json["movies"]
    assert stored == movies


def test_1001_movies_are_422(client, user_headers):
    movies = [listed(number) for number in range(1001)]
    _assert_422(_post(client, user_headers, collection(movies=movies)), "movies")


@pytest.mark.parametrize(
    "bad_uuid", ["not-a-uuid", "", "1234", "0f8fad5b-d9cb-469f-a165-70867728950", 42, None]
)
def test_a_movie_uuid_must_be_well_formed(client, user_headers, bad_uuid):
    movie = {**listed(1), "uuid": bad_uuid}
    _assert_422(_post(client, user_headers, collection(movies=[movie])), "movies")


@pytest.mark.parametrize("genres", [["Drama", "Action"], 3, None, {"name": "Drama"}])
def test_movie_genres_must_be_a_string(client, user_headers, genres):
    movie = {**listed(1), "genres": genres}
    response = _post(client, user_headers, collection(movies=[movie]))
    _assert_422(response, "movies")
    assert "genres" in str(response.json["errors"]["movies"])


@pytest.mark.parametrize("genres", ["", ",,", "Drama", "Drama,Action,Comedy"])
def test_movie_genres_may_be_any_string_even_empty(client, user_headers, genres):
    response = _post(client, user_headers, collection(movies=[listed(1, genres=genres)]))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"title": ""}, 422),
        ({"title": "  "}, 422),
        ({"title": "t" * 500}, 201),
        ({"title": "t" * 501}, 422),
        ({"title": None}, 422),
        ({"description": "d" * 5000}, 201),
        ({"description": "d" * 5001}, 422),
        ({"description": 7}, 422),
        ({"genres": "g" * 500}, 201),
        ({"genres": "g" * 501}, 422),
    ],
)
def test_movie_fields_limits(client, user_headers, change, status):
    response = _post(client, user_headers, collection(movies=[{**listed(1), **change}]))
    assert response.status_code == status, response.json


@pytest.mark.parametrize("missing", ["title", "uuid"])
def test_a_movie_needs_title_and_uuid(client, user_headers, missing):
    movie = {key: value for key, value in listed(1).items() if key != missing}
    _assert_422(_post(client, user_headers, collection(movies=[movie])), "movies")


def test_a_movie_without_description_or_genres_gets_empty_strings(client, user_headers):
    movie = {"title": "Bare", "uuid": listed(1)["uuid"]}
    collection_uuid = create(client, user_headers, collection(movies=[movie]))
    stored = client.get(f"/collection/{collection_uuid}/", headers=user_headers).json["movies"]
    assert stored == [{"title": "Bare", "description": "", "genres": "", "uuid": movie["uuid"]}]


def test_the_same_movie_twice_in_one_request_is_422(client, user_headers):
    repeated = listed(1)
    response = _post(client, user_headers, collection(movies=[repeated, listed(2), repeated]))
    _assert_422(response, "movies")
    assert repeated["uuid"] in str(response.json["errors"]["movies"])


def test_the_same_uuid_in_other_spellings_is_still_a_duplicate(client, user_headers):
    movie = listed(1)
    upper = {**movie, "uuid": movie["uuid"].upper()}
    _assert_422(_post(client, user_headers, collection(movies=[movie, upper])), "movies")


@pytest.mark.parametrize(
    "body",
    [
        {**collection(), "owner": 1},
        {**collection(), "uuid": "0f8fad5b-d9cb-469f-a165-70867728950e"},
        collection(movies=[{**listed(1), "year": 1999}]),
    ],
)
def test_unknown_fields_are_422(client, user_headers, body):
    response = _post(client, user_headers, body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


def test_nothing_is_stored_when_the_body_is_invalid(client, user_headers):
    _post(client, user_headers, collection("x" * 201, movies=[listed(1)]))
    assert client.get("/collection/", headers=user_headers).json["data"]["collections"] == []


@pytest.fixture
def existing(client, user_headers):
    return create(client, user_headers, collection("Before", movies=[listed(1)]))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": None}, "title"),
        ({"description": "d" * 2001}, "description"),
        ({"movies": [listed(n) for n in range(1001)]}, "movies"),
        ({"movies": [{**listed(1), "uuid": "nope"}]}, "movies"),
        ({"movies": [{**listed(1), "genres": ["Drama"]}]}, "movies"),
        ({"movies": [listed(1), listed(1)]}, "movies"),
        ({"movies": None}, "movies"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_update_checks_the_same_limits(client, user_headers, existing, body, field):
    response = client.put(f"/collection/{existing}/", json=body, headers=user_headers)
    _assert_422(response, field)
    unchanged = client.get(f"/collection/{existing}/", headers=user_headers).json
    assert unchanged == {"title": "Before", "description": "Films I like", "movies": [listed(1)]}


def test_update_needs_at_least_one_field(client, user_headers, existing):
    response = client.put(f"/collection/{existing}/", json={}, headers=user_headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("title", "status"), [("x", 200), ("x" * 200, 200)])
def test_update_accepts_the_title_limits(client, user_headers, existing, title, status):
    response = client.put(f"/collection/{existing}/", json={"title": title}, headers=user_headers)
    assert response.status_code == status


def test_a_body_that_is_not_json_is_415(client, user_headers):
    response = client.post("/collection/", data="title=x", headers=user_headers)
    assert response.status_code == 415
