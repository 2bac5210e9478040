"""The request counter, prices, the customer pages and the Prometheus metrics.

The counter checks say "at least": other clients of a live server count too.
"""

from __future__ import annotations

from steps import (
    ADMIN,
    NO_TOKEN,
    Request,
    check,
    check_json,
    content_type,
    invalid,
    json_answer,
    keep,
    problem,
    status,
    variable,
)

COUNT = f"Number({variable('requestCount')})"
PRICE = r"/^\d+\.\d{2}$/"
STAR_WARS = "0076759"  # sold by both providers (the simulator's sample data)
NEW_MOVIE = {
    "title": "Postman {{runId}}",
    "year": 2024,
    "price": "12.50",
    "runtime": "95 min",
    "director": "Newman",
}

COUNTER = [
    Request(
        "Read the request count",
        "GET",
        "/request-count/",
        None,
        [
            *json_answer(200, "requests"),
            *check_json("a count", "pm.expect(Number.isInteger(body.requests)).to.be.true;"),
            keep("requestCount", "String(pm.response.json().requests)"),
        ],
    ),
    Request(
        "Reading again counts the first read",
        "GET",
        "/request-count/",
        None,
        [
            *json_answer(200, "requests"),
            *check_json(
                "one more at least", f"pm.expect(body.requests).to.be.at.least({COUNT} + 1);"
            ),
            keep("requestCount", "String(pm.response.json().requests)"),
        ],
    ),
    Request("Reset as a user is 403", "POST", "/request-count/reset/", None, problem(403)),
    Request(
        "Reset the count (admin)",
        "POST",
        "/request-count/reset/",
        None,
        [
            *json_answer(200, "message", "requests_before_reset"),
            *check_json(
                "reset",
                "pm.expect(body.message).to.eql('request count reset successfully');",
                f"pm.expect(body.requests_before_reset).to.be.at.least({COUNT} + 2);",
            ),
        ],
        auth=ADMIN,
    ),
    Request(
        "The count starts again",
        "GET",
        "/request-count/",
        None,
        [
            *json_answer(200, "requests"),
            *check_json("the reset is counted", "pm.expect(body.requests).to.be.at.least(1);"),
        ],
    ),
]

PRICES = [
    Request(
        "Prices of every movie",
        "GET",
        "/prices/movies/",
        None,
        [
            *json_answer(200, "data", "providers"),
            *check_json(
                "movies with their cheapest offer",
                "pm.expect(body.data).to.be.an('array').that.is.not.empty;",
                "body.data.forEach((movie) => {",
                "  pm.expect(movie).to.include.all.keys('id', 'title', 'year', 'poster', 'offers',"
                " 'cheapest');",
                f"  pm.expect(movie.cheapest.price).to.match({PRICE});",
                "  const lowest = Math.min(...movie.offers.map((offer) => Number(offer.price)));",
                "  pm.expect(Number(movie.cheapest.price)).to.eql(lowest);",
                "});",
                f"pm.expect(body.data.map((movie) => movie.id)).to.include('{STAR_WARS}');",
            ),
            *check_json(
                "each provider's status",
                "const statuses = ['ok', 'stale', 'unavailable'];",
                "['cinemaworld', 'filmworld'].forEach((name) => "
                "pm.expect(body.providers[name].status).to.be.oneOf(statuses));",
            ),
        ],
    ),
    Request(
        "Prices and details of one movie",
        "GET",
        f"/prices/movies/{STAR_WARS}/",
        None,
        [
            *json_answer(200, "id", "title", "offers", "cheapest", "details", "providers"),
            *check_json(
                "Star Wars at both providers",
                f"pm.expect(body.id).to.eql('{STAR_WARS}');",
                "pm.expect(body.title).to.include('Star Wars');",
                "pm.expect(body.offers.map((offer) => offer.provider))"
                ".to.have.members(['cinemaworld', 'filmworld']);",
                f"pm.expect(body.cheapest.price).to.match({PRICE});",
                "pm.expect(body.details.director).to.eql('George Lucas');",
            ),
        ],
    ),
    Request("An unknown movie is 404", "GET", "/prices/movies/999999999/", None, problem(404)),
    Request(
        "Add a movie at cinemaworld (admin)",
        "POST",
        "/prices/providers/cinemaworld/movies/",
        NEW_MOVIE,
        [
            *json_answer(201, "provider", "provider_movie_id", "id", "title", "price", "details"),
            *check_json(
                "as the provider stored it",
                "pm.expect(body.provider).to.eql('cinemaworld');",
                "pm.expect(body.provider_movie_id).to.match(/^cw\\d+$/);",
                "pm.expect(body.provider_movie_id).to.eql('cw' + body.id);",
                f"pm.expect(body.title).to.eql('Postman ' + {variable('runId')});",
                "pm.expect(body.price).to.eql('12.50');",
            ),
        ],
        auth=ADMIN,
    ),
    Request(
        "Add an invalid movie is 422 (admin)",
        "POST",
        "/prices/providers/cinemaworld/movies/",
        {"title": "", "year": 1700, "price": 12.5, "id": "cw1"},
        invalid("title", "year", "price", "id"),
        auth=ADMIN,
    ),
    Request(
        "Add at an unknown provider is 404 (admin)",
        "POST",
        "/prices/providers/moviemax/movies/",
        NEW_MOVIE,
        problem(404),
        auth=ADMIN,
    ),
    Request(
        "Add as a user is 403",
        "POST",
        "/prices/providers/cinemaworld/movies/",
        NEW_MOVIE,
        problem(403),
    ),
]

PAGES = [
    Request(
        "Customer page",
        "GET",
        "/",
        None,
        [
            status(200),
            content_type("text/html"),
            *check(
                "movies with their cheapest price",
                "const page = pm.response.text();",
                "pm.expect(page).to.include('Star Wars');",
                'pm.expect(page).to.match(/class="price">[A-Z]{3} \\d+\\.\\d{2}</);',
            ),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Movie page",
        "GET",
        f"/films/{STAR_WARS}",
        None,
        [
            status(200),
            content_type("text/html"),
            *check(
                "the movie with its offers",
                "const page = pm.response.text();",
                "pm.expect(page).to.include('George Lucas');",
                'pm.expect(page).to.match(/class="price">[A-Z]{3} \\d+\\.\\d{2}</);',
            ),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "The movie page's old path redirects there for good",
        "GET",
        f"/movies/{STAR_WARS}?from=bookmark",
        None,
        [
            status(308),
            *check(
                "to the movie page, the query kept",
                "pm.expect(pm.response.headers.get('Location'))"
                f".to.equal('/films/{STAR_WARS}?from=bookmark');",
            ),
        ],
        auth=NO_TOKEN,
        follow_redirects=False,
    ),
    Request(
        "Unknown movie page is 404",
        "GET",
        "/films/999999999",
        None,
        [
            status(404),
            content_type("text/html"),
            *check("says so", "pm.expect(pm.response.text()).to.include('could not find');"),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Stylesheet",
        "GET",
        "/static/prices.css",
        None,
        [status(200), content_type("text/css")],
        auth=NO_TOKEN,
    ),
]

METRICS = [
    Request(
        "Prometheus metrics",
        "GET",
        "/metrics",
        None,
        [
            status(200),
            content_type("text/plain"),
            *check(
                "requests by route",
                "pm.expect(pm.response.text()).to.include('http_requests_total{');",
            ),
        ],
        auth=NO_TOKEN,
    ),
]
