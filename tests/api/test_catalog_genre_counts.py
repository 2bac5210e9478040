"""The count of a list filtered by genre (and format, release year) is kept per genre, format
and year on Postgres (migration 0018): it must equal the movies listed after every write."""

from __future__ import annotations

import pytest

LIST = "/catalog/movies/"
FILTERS = [
    {"genre": "Drama"},
    {"genre": "drama", "format": "DVD"},
    {"genre": "Drama", "release_year": 1990},
    {"genre": "Drama", "format": "DVD", "release_year": 1990},
    {"genre": "Crime", "format": "VHS", "release_year": 1991},
    {"genre": "Horror", "format": "DVD"},
]


@pytest.fixture
def post(client, admin_headers):
    def _post(title, genres, movie_format="DVD", year=1990):
        body = {"title": title, "format": movie_format, "length": 100, "release_year": year,
                "rating": 3, "genres": genres}  # fmt: skip
        response = client.post(LIST, json=body, headers=admin_headers)
        assert response.status_code == 201, response.json
        return response.json["id"]

    return _post


def _counts_agree(client, headers):
    """Each filter's count equals the movies it lists; the counts, in FILTERS' order."""
    counts = []
    for filters in FILTERS:
        response = client.get(LIST, query_string={**filters, "page_size": 100}, headers=headers)
        assert response.status_code == 200, response.json
        assert response.json["count"] == len(response.json["data"]), filters
        counts.append(response.json["count"])
    return counts


def test_the_count_by_genre_follows_every_write(client, user_headers, admin_headers, post):
    first = post("Heat", ["Drama", "Crime"])
    second = post("Ran", ["drama"], year=1991, movie_format="VHS")
    post("Alien", ["Horror"])
    assert _counts_agree(client, user_headers) == [2, 1, 1, 1, 0, 1]

    moved = client.patch(
        f"{LIST}{second}/", json={"format": "DVD", "release_year": 1990}, headers=admin_headers
    )
    assert moved.status_code == 200, moved.json
    assert _counts_agree(client, user_headers) == [2, 2, 2, 2, 0, 1]

    relinked = client.patch(f"{LIST}{first}/", json={"genres": ["Crime"]}, headers=admin_headers)
    assert relinked.status_code == 200, relinked.json
    assert _counts_agree(client, user_headers) == [1, 1, 1, 1, 0, 1]

    replaced = client.put(
        f"{LIST}{first}/",
        json={"title": "Heat", "format": "VHS", "length": 170, "release_year": 1991,
              "rating": 4, "genres": ["Crime", "Horror"]},
        headers=admin_headers,
    )  # fmt: skip
    assert replaced.status_code == 200, replaced.json
    assert _counts_agree(client, user_headers) == [1, 1, 1, 1, 1, 1]

    assert client.delete(f"{LIST}{first}/", headers=admin_headers).status_code == 204
    assert client.delete(f"{LIST}{second}/", headers=admin_headers).status_code == 204
    assert _counts_agree(client, user_headers) == [0, 0, 0, 0, 0, 1]


def test_the_count_by_genre_follows_an_import_and_its_reimport(app, client, user_headers, tmp_path):
    header = "external_id,title,format,length,release_year,rating,genres"
    rows = ["g1,Heat,DVD,170,1990,4,Drama|Crime", "g2,Ran,VHS,162,1991,5,Crime",
            "g3,Alien,DVD,117,1979,5,Horror"]  # fmt: skip
    path = tmp_path / "movies.csv"
    runner = app.test_cli_runner()
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert "3 imported" in runner.invoke(args=["catalog", "import", str(path)]).output
    assert _counts_agree(client, user_headers) == [1, 1, 1, 1, 1, 1]

    rows = [
        "g1,Heat,DVD,170,1990,4,Crime",  # Drama unlinked
        "g2,Ran,DVD,162,1990,5,Crime",  # another format and year
        "g3,Alien,VHS,117,1990,5,Horror|Drama",
    ]  # another format and year, Drama linked
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert "3 updated" in runner.invoke(args=["catalog", "import", str(path)]).output
    assert _counts_agree(client, user_headers) == [1, 0, 1, 0, 0, 0]
