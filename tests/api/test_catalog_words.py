"""A one-word `q` on Postgres is matched through the catalog's words (migration 0017): the
words must follow every write, and the results and counts must be those of the search by
relevance (each movie once, substring matches first, then the nearest spelling, by title)."""

from __future__ import annotations

import pytest

LIST = "/catalog/movies/"


@pytest.fixture
def post(client, admin_headers):
    def _post(title, director=None):
        body = {"title": title, "format": "DVD", "length": 100, "release_year": 1990, "rating": 3}
        if director is not None:
            body["director"] = director
        response = client.post(LIST, json=body, headers=admin_headers)
        assert response.status_code == 201, response.json
        return response.json["id"]

    return _post


def _search(client, headers, **query):
    response = client.get(LIST, query_string={"page_size": 100, **query}, headers=headers)
    assert response.status_code == 200, response.json
    return [movie["title"] for movie in response.json["data"]], response.json["count"]


def _postgres_only(backend):
    if backend != "postgres":
        pytest.skip("typo tolerance is Postgres's (SQLite keeps the plain substring match)")


def test_the_words_follow_every_write_of_title_and_director(
    client, user_headers, admin_headers, backend, post
):
    _postgres_only(backend)
    movie_id = post("Stargazer", director="Wilhelmina Carter")
    assert _search(client, user_headers, q="stargazre") == (["Stargazer"], 1)
    assert _search(client, user_headers, q="wilhelmnia") == (["Stargazer"], 1)

    patched = client.patch(
        f"{LIST}{movie_id}/", json={"title": "Moonwalker"}, headers=admin_headers
    )
    assert patched.status_code == 200, patched.json
    assert _search(client, user_headers, q="stargazre") == ([], 0)
    assert _search(client, user_headers, q="moonwlaker") == (["Moonwalker"], 1)
    assert _search(client, user_headers, q="wilhelmnia") == (["Moonwalker"], 1)

    replaced = client.put(
        f"{LIST}{movie_id}/",
        json={"title": "Moonwalker", "format": "VHS", "length": 90, "release_year": 1991,
              "rating": 2, "genres": [], "director": "Bartholomew Kent"},
        headers=admin_headers,
    )  # fmt: skip
    assert replaced.status_code == 200, replaced.json
    assert _search(client, user_headers, q="wilhelmnia") == ([], 0)
    assert _search(client, user_headers, q="bartholomwe") == (["Moonwalker"], 1)

    assert client.delete(f"{LIST}{movie_id}/", headers=admin_headers).status_code == 204
    assert _search(client, user_headers, q="moonwlaker") == ([], 0)
    assert _search(client, user_headers, q="bartholomwe") == ([], 0)


def test_a_change_of_other_fields_keeps_the_words(client, user_headers, admin_headers, post):
    movie_id = post("Stargazer", director="Wilhelmina Carter")
    patched = client.patch(f"{LIST}{movie_id}/", json={"rating": 5}, headers=admin_headers)
    assert patched.status_code == 200, patched.json
    assert _search(client, user_headers, q="stargaz") == (["Stargazer"], 1)
    assert _search(client, user_headers, q="carter") == (["Stargazer"], 1)


def test_a_movie_with_several_matching_words_is_listed_and_counted_once(
    client, user_headers, backend, post
):
    for title in ("The Godfather", "Godfathers", "Godfather Godfathers", "Godfahter Godfathers"):
        post(title, director="Godfather Smith" if title == "Godfathers" else None)
    titles, count = _search(client, user_headers, q="godfather")
    if backend == "postgres":
        # Each movie by its best word: the whole word "godfather" (in the title or the
        # director), then "godfathers" (contains q, less close); each group by title.
        assert titles == ["Godfather Godfathers", "Godfathers", "The Godfather",
                          "Godfahter Godfathers"]  # fmt: skip
    else:
        assert titles == ["Godfahter Godfathers", "Godfather Godfathers", "Godfathers",
                          "The Godfather"]  # fmt: skip
    assert count == 4


def test_pages_by_relevance_list_every_match_once_across_the_groups(
    client, user_headers, backend, post
):
    _postgres_only(backend)
    # "casablancas" and "casablancax" are equally close to q: one group of two words, and a
    # movie with both is still one result.
    titles = ["Casablanca", "Casablanca 2", "Casablancas", "Casablanka", "Return to Casablanka",
              "Casablancas Casablancax", "Casablancax", "Notorious"]  # fmt: skip
    for title in titles:
        post(title)
    whole, count = _search(client, user_headers, q="casablanca")
    assert whole == ["Casablanca", "Casablanca 2", "Casablancas", "Casablancas Casablancax",
                     "Casablancax", "Casablanka", "Return to Casablanka"]  # fmt: skip
    assert count == 7
    for page_size in (1, 2, 4):
        seen = []
        for page in range(1, 9):
            query = {"q": "casablanca", "page": page, "page_size": page_size}
            response = client.get(LIST, query_string=query, headers=user_headers)
            assert response.json["count"] == 7
            seen.extend(movie["title"] for movie in response.json["data"])
        assert seen == whole


def test_a_sort_with_q_finds_the_same_movies_as_relevance(client, user_headers, backend, post):
    for title in ("The Godfather", "Godfathers", "Godfahter Spoof", "Casablanca"):
        post(title)
    for q in ("godfather", "godfahter", "odfat"):
        by_relevance, count = _search(client, user_headers, q=q)
        by_title, sorted_count = _search(client, user_headers, q=q, sort="title")
        assert sorted(by_relevance) == by_title and count == sorted_count == len(by_title)
        assert count > 0


def test_a_q_of_several_words_still_tolerates_a_typo(client, user_headers, backend, post):
    _postgres_only(backend)
    post("The Godfather", director="Francis Ford Coppola")
    post("Casablanca")
    assert _search(client, user_headers, q="the godfahter") == (["The Godfather"], 1)
    assert _search(client, user_headers, q="ford-copola") == (["The Godfather"], 1)


def test_a_q_of_one_or_two_letters_matches_by_substring(client, user_headers, post):
    post("Up")
    post("Heat")
    assert _search(client, user_headers, q="up") == (["Up"], 1)
    assert _search(client, user_headers, q="e") == (["Heat"], 1)
