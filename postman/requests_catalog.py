"""The movie catalog: admins write, every user reads."""

from __future__ import annotations

from steps import (
    ADMIN,
    Request,
    check,
    check_json,
    invalid,
    json_answer,
    keep,
    page_of,
    problem,
    status,
    variable,
)

HEAT = {
    "title": "Heat {{runId}}",
    "format": "DVD",
    "length": 170,
    "release_year": 1995,
    "rating": 5,
    "genres": ["Crime", "Drama"],
    "director": "Michael Mann",
    "expiry_date": "2030-06-01",
}

CATALOG = [
    Request(
        "Create a movie (admin)",
        "POST",
        "/catalog/movies/",
        HEAT,
        [
            *json_answer(201, "id", "title", "format", "genres", "created_at"),
            *check_json("as sent", f"pm.expect(body.title).to.eql('Heat ' + {variable('runId')});"),
            keep("movieId", "pm.response.json().id"),
        ],
        auth=ADMIN,
    ),
    Request(
        "Create as a user is 403",
        "POST",
        "/catalog/movies/",
        {"title": "Nope", "format": "DVD", "length": 1, "release_year": 2000, "rating": 1},
        problem(403),
    ),
    Request(
        "Create with invalid fields is 422 (admin)",
        "POST",
        "/catalog/movies/",
        {"title": "", "format": "dvd", "length": 501, "release_year": 1799, "rating": 6},
        [
            *problem(422),
            "pm.test('lists the fields', () => "
            "pm.expect(Object.keys(pm.response.json().errors)).to.include.members("
            "['title', 'format', 'length', 'release_year', 'rating']));",
        ],
        auth=ADMIN,
    ),
    Request(
        "Get the movie",
        "GET",
        "/catalog/movies/{{movieId}}/",
        None,
        [
            *json_answer(200, "id", "title", "format", "length", "release_year", "rating"),
            "pm.test('genres', () => pm.expect(pm.response.json().genres)"
            ".to.eql(['Crime', 'Drama']));",
        ],
    ),
    Request(
        "Search by genre and rating",
        "GET",
        "/catalog/movies/?genre=crime&rating=5&q={{runId}}",
        None,
        [
            *page_of("id", "title", "genres"),
            "pm.test('finds it', () => pm.expect(pm.response.json().count).to.eql(1));",
        ],
    ),
    Request(
        "Expired in a range",
        "GET",
        "/catalog/movies/expired/?from=2030-01-01&to=2030-12-31",
        None,
        [
            *page_of("id", "title", "expiry_date"),
            *check_json(
                "all in the range",
                "body.data.forEach((movie) => "
                "pm.expect(movie.expiry_date >= '2030-01-01' && movie.expiry_date <= '2030-12-31')"
                ".to.be.true);",
            ),
        ],
    ),
    Request(
        "Expired range backwards is 422",
        "GET",
        "/catalog/movies/expired/?from=2031-01-01&to=2030-01-01",
        None,
        invalid("from"),
    ),
    Request(
        "Change the rating (admin)",
        "PATCH",
        "/catalog/movies/{{movieId}}/",
        {"rating": 4},
        [
            *json_answer(200, "id", "rating"),
            "pm.test('changed', () => pm.expect(pm.response.json().rating).to.eql(4));",
        ],
        auth=ADMIN,
    ),
    Request(
        "Replace the movie (admin)",
        "PUT",
        "/catalog/movies/{{movieId}}/",
        {**HEAT, "format": "Streaming", "rating": 3, "genres": ["Thriller"]},
        [
            *json_answer(200, "id", "title", "format", "rating", "genres"),
            *check_json(
                "replaced",
                "pm.expect(body.id).to.eql(pm.collectionVariables.get('movieId'));",
                "pm.expect(body.format).to.eql('Streaming');",
                "pm.expect(body.rating).to.eql(3);",
                "pm.expect(body.genres).to.eql(['Thriller']);",
            ),
        ],
        auth=ADMIN,
    ),
    Request(
        "Genres",
        "GET",
        "/catalog/genres/?page_size=100",
        None,
        [
            *page_of("name", "movie_count"),
            *check_json(
                "has Thriller",
                "pm.expect(body.data.map((genre) => genre.name)).to.include('Thriller');",
            ),
        ],
    ),
    Request(
        "Delete the movie (admin)",
        "DELETE",
        "/catalog/movies/{{movieId}}/",
        None,
        [status(204), *check("no body", "pm.expect(pm.response.text()).to.eql('');")],
        auth=ADMIN,
    ),
    Request("The deleted movie is 404", "GET", "/catalog/movies/{{movieId}}/", None, problem(404)),
]
