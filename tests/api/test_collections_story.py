"""A new user registers, pages through /movies/, builds collections from what they saw
and reads their favourite genres: over real HTTP to the simulator."""

from collections import Counter

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.usefixtures("fresh_upstreams")


def _expected_favourites(collections):
    counts = Counter(
        genre.strip()
        for movies in collections
        for movie in movies
        for genre in dict.fromkeys(part.strip() for part in movie["genres"].split(","))
        if genre.strip()
    )
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(genre for genre, _ in ranked[:3])


def _page_through(client, headers, url, pages):
    seen = []
    for _ in range(pages):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.json
        seen += response.json["data"]
        url = response.json["next"]
    return seen


def test_register_browse_collect_and_get_favourite_genres(client, register):
    headers = bearer(register("newcomer")["access_token"])
    seen = _page_through(client, headers, "/movies/", pages=3)
    seen += _page_through(client, headers, "/movies/?page=25", pages=2)  # empties, many scripts
    assert len({movie["uuid"] for movie in seen}) == 50

    classics, discoveries = seen[:30], seen[30:]
    for title, movies in (("Classics", classics), ("Discoveries", discoveries)):
        body = {"title": title, "description": f"{len(movies)} films", "movies": movies}
        response = client.post("/collection/", json=body, headers=headers)
        assert response.status_code == 201, response.json
        stored = client.get(f"/collection/{response.json['collection_uuid']}/", headers=headers)
        assert stored.json["movies"] == movies

    listing = client.get("/collection/", headers=headers).json
    assert [item["title"] for item in listing["data"]["collections"]] == [
        "Classics",
        "Discoveries",
    ]
    favourites = listing["data"]["favourite_genres"]
    assert favourites == _expected_favourites([classics, discoveries])
    assert len(favourites.split(", ")) == 3
