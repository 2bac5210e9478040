"""The upstream movie list, and the user's collections made from the movies it lists."""

from __future__ import annotations

from steps import (
    NO_TOKEN,
    OTHER_USER,
    Request,
    check,
    check_json,
    invalid,
    json_answer,
    keep,
    page_of,
    problem,
    spliced,
    status,
    variable,
)

LISTED = f"JSON.parse({variable('listedMovies')})"
PICKED = f"JSON.parse({variable('pickedMovies')})"
THIS_COLLECTION = "/collection/{{collectionId}}/"

MOVIE_LIST = [
    Request(
        "First page of the movie list",
        "GET",
        "/movies/?page=1",
        None,
        [
            *page_of("title", "description", "genres", "uuid"),
            *check_json(
                "ten movies at most, the first page",
                "pm.expect(body.data).to.have.length.within(1, 10);",
                "pm.expect(body.previous).to.eql(null);",
                "pm.expect(body.next).to.match(/^https?:\\/\\/.+\\/movies\\/\\?page=2$/);",
            ),
            keep("listedMovies", "JSON.stringify(pm.response.json().data)"),
            keep("pickedMovies", "JSON.stringify(pm.response.json().data.slice(0, 3))"),
            keep("pastLastPage", "String(Math.ceil(pm.response.json().count / 10) + 1)"),
        ],
    ),
    Request(
        "A page past the end is 404", "GET", "/movies/?page={{pastLastPage}}", None, problem(404)
    ),
    Request("Page 0 is 422", "GET", "/movies/?page=0", None, invalid("page")),
    Request(
        "A page that is not a number is 422", "GET", "/movies/?page=one", None, invalid("page")
    ),
]

# The user's favourite genres: at most 3, the most frequent among the listed movies, and
# none left out that is more frequent than the last one given.
FAVOURITES = [
    "const counts = {};",
    "listed.forEach((movie) => new Set(movie.genres.split(',').map((g) => g.trim())"
    ".filter(Boolean)).forEach((genre) => { counts[genre] = (counts[genre] || 0) + 1; }));",
    "const favourites = body.data.favourite_genres ? body.data.favourite_genres.split(', ') : [];",
    "pm.expect(favourites).to.have.lengthOf(Math.min(3, Object.keys(counts).length));",
    "favourites.forEach((genre, i) => { pm.expect(counts).to.have.property(genre);"
    " if (i) pm.expect(counts[genre]).to.be.at.most(counts[favourites[i - 1]]); });",
    "const least = favourites.length ? counts[favourites[favourites.length - 1]] : 0;",
    "Object.keys(counts).filter((genre) => !favourites.includes(genre))"
    ".forEach((genre) => pm.expect(counts[genre]).to.be.at.most(least));",
]

COLLECTIONS = [
    Request(
        "Create a collection from the listed movies",
        "POST",
        "/collection/",
        {
            "title": "Seen on the list {{runId}}",
            "description": "The first page of the movie list",
            "movies": spliced("listedMovies"),
        },
        [
            *json_answer(201, "collection_uuid"),
            *check_json("a uuid", "pm.expect(body.collection_uuid).to.match(/^[0-9a-f-]{36}$/);"),
            keep("collectionId", "pm.response.json().collection_uuid"),
        ],
    ),
    Request(
        "Create without a title is 422",
        "POST",
        "/collection/",
        {"title": " ", "movies": spliced("pickedMovies")},
        invalid("title"),
    ),
    Request(
        "My collections and favourite genres",
        "GET",
        "/collection/",
        None,
        [
            *json_answer(200, "is_success", "data"),
            *check_json(
                "lists the collection",
                "pm.expect(body.is_success).to.be.true;",
                "pm.expect(body.data.collections).to.deep.include({title: 'Seen on the list ' + "
                f"{variable('runId')}, uuid: {variable('collectionId')}, "
                "description: 'The first page of the movie list'});",
            ),
            *check_json(
                "favourite genres of the listed movies",
                f"const listed = {LISTED};",
                *FAVOURITES,
            ),
        ],
    ),
    Request(
        "Get the collection",
        "GET",
        THIS_COLLECTION,
        None,
        [
            *json_answer(200, "title", "description", "movies"),
            *check_json(
                "the movies as listed, in order",
                f"pm.expect(body.movies).to.eql({LISTED});",
            ),
        ],
    ),
    Request(
        "Rename it and keep three movies",
        "PUT",
        THIS_COLLECTION,
        {"title": "Three picks {{runId}}", "movies": spliced("pickedMovies")},
        [
            *json_answer(200, "title", "description", "movies"),
            *check_json(
                "changed",
                f"pm.expect(body.title).to.eql('Three picks ' + {variable('runId')});",
                "pm.expect(body.description).to.eql('The first page of the movie list');",
                f"pm.expect(body.movies).to.eql({PICKED});",
            ),
        ],
    ),
    Request(
        "Register a second user",
        "POST",
        "/register/",
        {"username": "{{otherUsername}}", "password": "{{password}}"},
        [
            *json_answer(201, "access_token", "refresh_token"),
            keep("otherToken", "pm.response.json().access_token"),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Another user's collection is 404 (second user)",
        "GET",
        THIS_COLLECTION,
        None,
        problem(404),
        auth=OTHER_USER,
    ),
    Request(
        "Another user cannot change it (second user)",
        "PUT",
        THIS_COLLECTION,
        {"title": "Not yours"},
        problem(404),
        auth=OTHER_USER,
    ),
    Request(
        "Another user cannot delete it (second user)",
        "DELETE",
        THIS_COLLECTION,
        None,
        problem(404),
        auth=OTHER_USER,
    ),
    Request(
        "The second user has no collections (second user)",
        "GET",
        "/collection/",
        None,
        [
            *json_answer(200, "is_success", "data"),
            *check_json(
                "none",
                "pm.expect(body.data).to.eql({collections: [], favourite_genres: ''});",
            ),
        ],
        auth=OTHER_USER,
    ),
    Request(
        "Delete the collection",
        "DELETE",
        THIS_COLLECTION,
        None,
        [status(204), *check("no body", "pm.expect(pm.response.text()).to.eql('');")],
    ),
    Request("The deleted collection is 404", "GET", THIS_COLLECTION, None, problem(404)),
]
