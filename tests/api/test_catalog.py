import uuid

import pytest

HEAT = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}


@pytest.fixture
def create(client, admin_headers):
    """POST a movie as admin (HEAT with the given changes); returns the response."""

    def _create(**changes):
        return client.post("/catalog/movies/", json={**HEAT, **changes}, headers=admin_headers)

    return _create


@pytest.fixture
def movie(create):
    response = create(
        genres=["Crime", "Drama"],
        director="Michael Mann",
        expiry_date="2030-06-01",
        imdb_score=8.3,
        popularity=90.5,
    )
    assert response.status_code == 201, response.json
    return response.json


def _titles(response):
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["data"]]


def test_create_returns_the_stored_movie(client, movie, user_headers):
    assert movie["title"] == "Heat"
    assert movie["genres"] == ["Crime", "Drama"]
    uuid.UUID(movie["id"])
    fetched = client.get(f"/catalog/movies/{movie['id']}/", headers=user_headers)
    assert fetched.status_code == 200
    assert fetched.json == movie


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("title", "", 422),
        ("title", "x", 201),
        ("title", "x" * 50, 201),
        ("title", "x" * 51, 422),
        ("title", "   ", 422),
        ("format", "VHS", 201),
        ("format", "DVD", 201),
        ("format", "Streaming", 201),
        ("format", "dvd", 422),
        ("format", "STREAMING", 422),
        ("format", "Blu-ray", 422),
        ("length", -1, 422),
        ("length", 0, 201),
        ("length", 500, 201),
        ("length", 501, 422),
        ("release_year", 1799, 422),
        ("release_year", 1800, 201),
        ("release_year", 2100, 201),
        ("release_year", 2101, 422),
        ("rating", 0, 422),
        ("rating", 1, 201),
        ("rating", 5, 201),
        ("rating", 6, 422),
        ("imdb_score", -0.1, 422),
        ("imdb_score", 0, 201),
        ("imdb_score", 10, 201),
        ("imdb_score", 10.1, 422),
        ("popularity", 100, 201),
        ("popularity", 100.5, 422),
    ],
)
def test_create_validation_boundaries(create, field, value, status):
    response = create(**{field: value})
    assert response.status_code == status, response.json
    if status == 422:
        assert field in response.json["errors"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", 12),
        ("format", None),
        ("length", "120"),
        ("length", 12.5),
        ("length", True),
        ("release_year", "1995"),
        ("rating", 4.0),
        ("rating", None),
        ("genres", "Drama"),
        ("genres", [1, 2]),
        ("expiry_date", "next week"),
        ("expiry_date", 20300101),
        ("imdb_score", "8.1"),
        ("imdb_score", True),
        ("director", ["x"]),
        ("description", {}),
    ],
)
def test_create_rejects_wrong_types(create, field, value):
    response = create(**{field: value})
    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.parametrize("field", ["title", "format", "length", "release_year", "rating"])
def test_create_requires_each_required_field(client, admin_headers, field):
    body = {name: value for name, value in HEAT.items() if name != field}
    response = client.post("/catalog/movies/", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert response.json["errors"][field] == ["Missing data for required field."]


def test_create_rejects_unknown_fields(create):
    response = create(budget=1000, id=str(uuid.uuid4()))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"budget", "id"}


def test_create_rejects_a_json_array_body(client, admin_headers):
    response = client.post("/catalog/movies/", json=[HEAT], headers=admin_headers)
    assert response.status_code == 422


def test_a_user_cannot_write(client, movie, user_headers):
    url = f"/catalog/movies/{movie['id']}/"
    assert client.post("/catalog/movies/", json=HEAT, headers=user_headers).status_code == 403
    assert client.put(url, json=HEAT, headers=user_headers).status_code == 403
    assert client.patch(url, json={"rating": 1}, headers=user_headers).status_code == 403
    response = client.delete(url, headers=user_headers)
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
    assert client.get(url, headers=user_headers).json["rating"] == 5


def test_genres_are_trimmed_and_merged_whatever_their_case(create, client, user_headers):
    first = create(genres=["  Drama ", "drama", "Crime"]).json
    second = create(title="Ronin", genres=["DRAMA", "Thriller"]).json
    assert first["genres"] == ["Crime", "Drama"]
    assert second["genres"] == ["Drama", "Thriller"]
    genres = client.get("/catalog/genres/", headers=user_headers).json
    assert genres["data"] == [
        {"name": "Crime", "movie_count": 1},
        {"name": "Drama", "movie_count": 2},
        {"name": "Thriller", "movie_count": 1},
    ]


def test_get_unknown_or_malformed_id_is_404(client, user_headers):
    assert client.get(f"/catalog/movies/{uuid.uuid4()}/", headers=user_headers).status_code == 404
    assert client.get("/catalog/movies/not-a-uuid/", headers=user_headers).status_code == 404


def test_patch_changes_only_the_given_fields(client, movie, admin_headers):
    response = client.patch(
        f"/catalog/movies/{movie['id']}/",
        json={"rating": 4, "genres": ["Heist"]},
        headers=admin_headers,
    )
    assert response.status_code == 200
    assert response.json["rating"] == 4
    assert response.json["genres"] == ["Heist"]
    assert response.json["director"] == "Michael Mann"
    assert response.json["title"] == "Heat"


@pytest.mark.parametrize("body", [{}, {"title": None}, {"rating": 9}, {"colour": "red"}])
def test_patch_rejects_empty_null_required_invalid_or_unknown(client, movie, admin_headers, body):
    url = f"/catalog/movies/{movie['id']}/"
    response = client.patch(url, json=body, headers=admin_headers)
    assert response.status_code == 422
    assert client.get(url, headers=admin_headers).json == movie


def test_patch_may_clear_an_optional_field(client, movie, admin_headers):
    url = f"/catalog/movies/{movie['id']}/"
    response = client.patch(url, json={"director": None}, headers=admin_headers)
    assert response.json["director"] is None


def test_put_replaces_the_whole_movie(client, movie, admin_headers):
    url = f"/catalog/movies/{movie['id']}/"
    response = client.put(url, json={**HEAT, "rating": 3}, headers=admin_headers)
    assert response.status_code == 200
    assert response.json["rating"] == 3
    assert response.json["director"] is None
    assert response.json["genres"] == []
    assert response.json["id"] == movie["id"]


def test_put_requires_every_required_field(client, movie, admin_headers):
    url = f"/catalog/movies/{movie['id']}/"
    response = client.put(url, json={"title": "Heat 2"}, headers=admin_headers)
    assert response.status_code == 422
    assert client.get(url, headers=admin_headers).json["title"] == "Heat"


def test_delete_removes_the_movie(client, movie, admin_headers):
    url = f"/catalog/movies/{movie['id']}/"
    response = client.delete(url, headers=admin_headers)
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(url, headers=admin_headers).status_code == 404
    assert client.delete(url, headers=admin_headers).status_code == 404


def test_unicode_and_sql_looking_text_is_stored_and_found_intact(create, client, user_headers):
    title = "Amélie ✨ 千と千尋'; DROP--"
    director = "Robert'); DELETE FROM movies;--"
    created = create(title=title, director=director, description='100% "quoted" \\ _x_')
    assert created.status_code == 201
    found = client.get(
        "/catalog/movies/", query_string={"q": "千と千尋'; DROP"}, headers=user_headers
    )
    assert found.json["data"][0]["title"] == title
    assert found.json["data"][0]["director"] == director
    assert found.json["data"][0]["description"] == '100% "quoted" \\ _x_'


class TestSearch:
    @pytest.fixture(autouse=True)
    def shelf(self, create):
        create(
            title="Heat",
            director="Michael Mann",
            genres=["Crime"],
            rating=5,
            release_year=1995,
            format="DVD",
            expiry_date="2030-01-01",
        )
        create(
            title="Collateral",
            director="Michael Mann",
            genres=["Crime", "Thriller"],
            rating=4,
            release_year=2004,
            format="Streaming",
        )
        create(
            title="Alien",
            director="Ridley Scott",
            genres=["Horror", "Sci-Fi"],
            rating=5,
            release_year=1979,
            format="VHS",
            expiry_date="2026-01-01",
        )
        create(title="100% Mann_made", director="Someone", rating=1, release_year=2020)

    def _search(self, client, headers, **params):
        return client.get("/catalog/movies/", query_string=params, headers=headers)

    def test_no_filter_lists_all_by_title(self, client, user_headers):
        response = self._search(client, user_headers)
        assert _titles(response) == ["100% Mann_made", "Alien", "Collateral", "Heat"]
        assert response.json["count"] == 4

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            ({"title": "heat"}, ["Heat"]),
            ({"genre": "crime"}, ["Collateral", "Heat"]),
            ({"format": "VHS"}, ["Alien"]),
            ({"release_year": 2004}, ["Collateral"]),
            ({"rating": 5}, ["Alien", "Heat"]),
            ({"director": "michael mann"}, ["Collateral", "Heat"]),
            ({"expiry_date": "2030-01-01"}, ["Heat"]),
            ({"q": "mann"}, ["100% Mann_made", "Collateral", "Heat"]),
            ({"q": "%"}, ["100% Mann_made"]),
            ({"q": "_"}, ["100% Mann_made"]),
            ({"director": "Michael Mann", "rating": 4}, ["Collateral"]),
            ({"genre": "Crime", "format": "VHS"}, []),
            ({"genre": "Western"}, []),
        ],
    )
    def test_every_given_filter_must_match(self, client, user_headers, params, expected):
        assert _titles(self._search(client, user_headers, **params)) == expected

    def test_sort_by_several_keys(self, client, user_headers):
        response = self._search(client, user_headers, sort="-rating,release_year")
        assert _titles(response) == ["Alien", "Heat", "Collateral", "100% Mann_made"]

    @pytest.mark.parametrize("sort", ["budget", "-", "title,,rating", "title;drop"])
    def test_unknown_sort_key_is_422(self, client, user_headers, sort):
        response = self._search(client, user_headers, sort=sort)
        assert response.status_code == 422
        assert "sort" in response.json["errors"]

    @pytest.mark.parametrize(
        "params",
        [
            {"rating": "five"},
            {"format": "dvd"},
            {"release_year": 3000},
            {"expiry_date": "x"},
            {"page": 0},
            {"page_size": 101},
            {"page_size": 0},
        ],
    )
    def test_invalid_filters_are_422(self, client, user_headers, params):
        assert self._search(client, user_headers, **params).status_code == 422

    def test_pages_link_to_each_other_absolutely(self, client, user_headers):
        first = self._search(client, user_headers, page_size=3, rating=5, sort="title")
        assert first.json["count"] == 2
        assert first.json["next"] is None
        response = self._search(client, user_headers, page_size=3)
        assert response.json["previous"] is None
        assert response.json["next"].startswith("http://localhost/catalog/movies/?")
        assert "cursor=" in response.json["next"] and "page_size=3" in response.json["next"]
        second = client.get(response.json["next"], headers=user_headers)
        assert _titles(second) == ["Heat"]
        assert second.json["next"] is None
        assert second.json["previous"] is None  # cursors only go forward
        by_number = self._search(client, user_headers, page_size=3, page=2)
        assert _titles(by_number) == ["Heat"]
        assert "page=1" in by_number.json["previous"]

    def test_page_past_the_end_is_empty(self, client, user_headers):
        response = self._search(client, user_headers, page=9)
        assert response.json["data"] == []
        assert response.json["count"] == 4
        assert "page=1" in response.json["previous"]

    def test_links_follow_the_forwarded_scheme_and_host(
        self, app, client, user_headers, monkeypatch
    ):
        monkeypatch.setitem(app.config, "ALLOWED_HOSTS", ["movies.example.org"])
        response = client.get(
            "/catalog/movies/?page_size=1",
            headers={
                **user_headers,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "movies.example.org",
            },
        )
        assert response.json["next"].startswith("https://movies.example.org/catalog/movies/")


class TestExpired:
    @pytest.fixture(autouse=True)
    def shelf(self, create):
        create(title="Before", expiry_date="2029-12-31")
        create(title="First day", expiry_date="2030-01-01")
        create(title="Last day", expiry_date="2030-12-31")
        create(title="After", expiry_date="2031-01-01")
        create(title="Never")

    def _expired(self, client, headers, **params):
        return client.get("/catalog/movies/expired/", query_string=params, headers=headers)

    def test_range_is_inclusive_and_soonest_first(self, client, user_headers):
        response = self._expired(client, user_headers, **{"from": "2030-01-01", "to": "2030-12-31"})
        assert _titles(response) == ["First day", "Last day"]

    def test_expired_range_rejects_from_after_to(self, client, user_headers):
        response = self._expired(client, user_headers, **{"from": "2031-01-01", "to": "2030-01-01"})
        assert response.status_code == 422
        assert "from" in response.json["errors"]

    @pytest.mark.parametrize(
        "params",
        [
            {},
            {"from": "2030-01-01"},
            {"to": "2030-01-01"},
            {"from": "x", "to": "y"},
            {"from": "2030-02-30", "to": "2031-01-01"},
        ],
    )
    def test_expired_range_needs_two_valid_dates(self, client, user_headers, params):
        assert self._expired(client, user_headers, **params).status_code == 422


def test_no_partial_write_after_a_rejected_create(create, client, admin_headers):
    response = create(genres=["Brand new genre", "x" * 51])
    assert response.status_code == 422
    genres = client.get("/catalog/genres/", headers=admin_headers).json
    assert genres["count"] == 0
    assert client.get("/catalog/movies/", headers=admin_headers).json["count"] == 0


def test_reader_sees_genres_list_with_pagination(client, create, user_headers):
    create(genres=[f"Genre {n:02d}" for n in range(15)])
    response = client.get("/catalog/genres/?page_size=10&page=2", headers=user_headers)
    assert response.json["count"] == 15
    assert [g["name"] for g in response.json["data"]][0] == "Genre 10"


def test_genres_beyond_ascii_merge_whatever_their_case(create, client, user_headers):
    assert create(genres=["ÃB"]).status_code == 201
    second = create(title="Ronin", genres=["Ãb"])
    assert second.status_code == 201
    assert second.json["genres"] == ["ÃB"]
    genres = client.get("/catalog/genres/", headers=user_headers).json["data"]
    assert genres == [{"name": "ÃB", "movie_count": 2}]
