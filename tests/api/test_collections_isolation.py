"""Each owner keeps what they sent: another user's request with the same movie uuid
(other title, description or genres) changes nothing in anyone else's collections."""

import pytest

from tests.conftest import bearer
from tests.support.collections import collection, create, favourite_genres, listed

ALICES = [listed(1, genres="Drama,Crime"), listed(2, genres="Drama"), listed(3, genres="Crime")]
# The same uuids as Alice's, with everything else different.
BOBS = [
    listed(1, title="Movie One (recut)", description="Bob's notes", genres="Comedy"),
    listed(3, title="Movie Three, dubbed", description="", genres="Horror,Comedy"),
]


@pytest.fixture
def alice(register):
    return bearer(register("alice")["access_token"])


@pytest.fixture
def bob(register):
    return bearer(register("bob")["access_token"])


@pytest.fixture
def alices(client, alice):
    return create(client, alice, collection("Alice's", movies=ALICES))


def _movies(client, headers, collection_uuid):
    response = client.get(f"/collection/{collection_uuid}/", headers=headers)
    assert response.status_code == 200, response.json
    return response.json["movies"]


def test_another_users_post_of_the_same_uuids_leaves_mine_as_i_sent_it(client, alice, bob, alices):
    bobs = create(client, bob, collection("Bob's", movies=BOBS))
    assert _movies(client, alice, alices) == ALICES
    assert favourite_genres(client, alice) == "Crime, Drama"
    assert _movies(client, bob, bobs) == BOBS
    assert favourite_genres(client, bob) == "Comedy, Horror"


def test_another_users_put_of_the_same_uuids_leaves_mine_as_i_sent_it(client, alice, bob, alices):
    bobs = create(client, bob, collection("Bob's", movies=[listed(9, genres="Western")]))
    response = client.put(f"/collection/{bobs}/", json={"movies": BOBS}, headers=bob)
    assert response.status_code == 200
    assert response.json["movies"] == BOBS
    assert _movies(client, alice, alices) == ALICES
    assert favourite_genres(client, alice) == "Crime, Drama"
    assert favourite_genres(client, bob) == "Comedy, Horror"


def test_my_later_post_leaves_my_earlier_collection_as_i_sent_it(client, alice, alices):
    renamed = [listed(1, title="Movie One, director's cut", genres="Western")]
    later = create(client, alice, collection("Later", movies=renamed))
    assert _movies(client, alice, alices) == ALICES
    assert _movies(client, alice, later) == renamed
    # Drama 2, Crime 2 (movies 1 and 3 of the first collection), Western 1.
    assert favourite_genres(client, alice) == "Crime, Drama, Western"


def test_deleting_another_users_collection_leaves_mine(client, alice, bob, alices):
    bobs = create(client, bob, collection("Bob's", movies=BOBS))
    assert client.delete(f"/collection/{bobs}/", headers=bob).status_code == 204
    assert _movies(client, alice, alices) == ALICES
    assert favourite_genres(client, alice) == "Crime, Drama"
    assert favourite_genres(client, bob) == ""


def test_emptying_another_users_collection_leaves_mine(client, alice, bob, alices):
    bobs = create(client, bob, collection("Bob's", movies=BOBS))
    response = client.put(f"/collection/{bobs}/", json={"movies": []}, headers=bob)
    assert response.status_code == 200
    assert _movies(client, alice, alices) == ALICES
    assert favourite_genres(client, alice) == "Crime, Drama"
