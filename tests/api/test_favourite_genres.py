"""favourite_genres: the 3 genres with the most movies across all of a user's collections.

A movie counts once for each of the user's collections that holds it; ties go
alphabetically (by code point); genres are trimmed and empty ones ignored.
"""

import pytest

from tests.conftest import bearer
from tests.support.collections import collection, create, favourite_genres, listed


def test_the_three_genres_with_the_most_movies(client, user_headers):
    movies = [
        listed(1, genres="Drama,Action,Comedy"),
        listed(2, genres="Drama,Action"),
        listed(3, genres="Drama,Horror"),
        listed(4, genres="Western"),
    ]
    create(client, user_headers, collection(movies=movies))
    assert favourite_genres(client, user_headers) == "Drama, Action, Comedy"


def test_ties_are_broken_alphabetically(client, user_headers):
    movies = [listed(1, genres="Thriller,Comedy"), listed(2, genres="Western,Action")]
    create(client, user_headers, collection(movies=movies))
    assert favourite_genres(client, user_headers) == "Action, Comedy, Thriller"


def test_a_higher_count_beats_the_alphabet(client, user_headers):
    movies = [listed(1, genres="Western,Action"), listed(2, genres="Western")]
    create(client, user_headers, collection(movies=movies))
    assert favourite_genres(client, user_headers) == "Western, Action"


def test_empty_genres_are_ignored_and_genres_trimmed(client, user_headers):
    movies = [
        listed(1, genres=""),
        listed(2, genres=" , ,"),
        listed(3, genres=" Drama ,"),
        listed(4, genres="Drama"),
        listed(5, genres=",Sci-Fi,,"),
    ]
    create(client, user_headers, collection(movies=movies))
    assert favourite_genres(client, user_headers) == "Drama, Sci-Fi"


def test_a_genre_repeated_in_one_movie_counts_once(client, user_headers):
    movies = [listed(1, genres="Comedy,Comedy, Comedy"), listed(2, genres="Action,Drama")]
    create(client, user_headers, collection(movies=movies))
    assert favourite_genres(client, user_headers) == "Action, Comedy, Drama"


def test_only_empty_genres_give_an_empty_string(client, user_headers):
    create(client, user_headers, collection(movies=[listed(1, genres=""), listed(2, genres="")]))
    assert favourite_genres(client, user_headers) == ""


def test_counts_add_up_across_several_collections(client, user_headers):
    create(client, user_headers, collection("A", movies=[listed(1, genres="Comedy")]))
    create(client, user_headers, collection("B", movies=[listed(2, genres="Horror")]))
    create(
        client,
        user_headers,
        collection("C", movies=[listed(3, genres="Horror"), listed(4, genres="Action")]),
    )
    assert favourite_genres(client, user_headers) == "Horror, Action, Comedy"


def test_a_movie_in_two_collections_counts_twice(client, user_headers):
    create(client, user_headers, collection("A", movies=[listed(1, genres="Western")]))
    create(client, user_headers, collection("B", movies=[listed(1, genres="Western")]))
    create(
        client,
        user_headers,
        collection("C", movies=[listed(2, genres="Action"), listed(3, genres="Action,Comedy")]),
    )
    # Western: 1 movie held twice = 2; Action: 2 movies = 2; alphabetical between them.
    assert favourite_genres(client, user_headers) == "Action, Western, Comedy"


def test_they_follow_an_update_of_the_movies(client, user_headers):
    first = create(client, user_headers, collection(movies=[listed(1, genres="Drama")]))
    create(client, user_headers, collection("B", movies=[listed(2, genres="Comedy")]))
    assert favourite_genres(client, user_headers) == "Comedy, Drama"
    movies = [listed(3, genres="Western"), listed(4, genres="Western,Action")]
    client.put(f"/collection/{first}/", json={"movies": movies}, headers=user_headers)
    assert favourite_genres(client, user_headers) == "Western, Action, Comedy"


def test_they_follow_a_delete(client, user_headers):
    create(client, user_headers, collection("A", movies=[listed(1, genres="Drama")]))
    doomed = create(
        client,
        user_headers,
        collection("B", movies=[listed(2, genres="Horror"), listed(3, genres="Horror")]),
    )
    assert favourite_genres(client, user_headers) == "Horror, Drama"
    client.delete(f"/collection/{doomed}/", headers=user_headers)
    assert favourite_genres(client, user_headers) == "Drama"


def test_another_users_genres_for_the_same_movie_do_not_change_mine(client, user_headers, register):
    create(client, user_headers, collection(movies=[listed(1, genres="Drama")]))
    other = bearer(register("nadia")["access_token"])
    create(client, other, collection(movies=[listed(1, genres="Documentary")]))
    # Each collection keeps the movie as its owner sent it.
    assert favourite_genres(client, user_headers) == "Drama"
    assert favourite_genres(client, other) == "Documentary"


def test_my_own_collections_count_each_their_own_genres_for_a_movie(client, user_headers):
    create(client, user_headers, collection("A", movies=[listed(1, genres="Drama,Crime")]))
    create(client, user_headers, collection("B", movies=[listed(1, genres="Drama")]))
    assert favourite_genres(client, user_headers) == "Drama, Crime"


def test_other_users_collections_do_not_count(client, user_headers, register):
    other = bearer(register("oscar")["access_token"])
    create(client, other, collection(movies=[listed(7, genres="Horror")]))
    create(client, user_headers, collection(movies=[listed(8, genres="Comedy")]))
    assert favourite_genres(client, user_headers) == "Comedy"
    assert favourite_genres(client, other) == "Horror"


@pytest.mark.parametrize(
    ("genres", "expected"),
    [("drama,Drama", "Drama, drama"), ("Zulu,Émile,Apple", "Apple, Zulu, Émile")],
)
def test_genres_are_compared_exactly_and_ordered_by_code_point(
    client, user_headers, genres, expected
):
    create(client, user_headers, collection(movies=[listed(1, genres=genres)]))
    assert favourite_genres(client, user_headers) == expected
