"""Migrations 0017 and 0018 on a catalog that already holds movies: the backfills give the
existing movies their words and genre counts, and a downgrade then upgrade gives them again."""

from uuid import UUID

import flask_migrate
import sqlalchemy as sa

from src.extensions import db
from tests.conftest import bearer

GODFATHER = UUID("00000000-0000-4000-8000-000000000001")
CASABLANCA = UUID("00000000-0000-4000-8000-000000000002")
MOVIES = sa.text(
    "INSERT INTO movies (id, title, format, length, release_year, rating, director, "
    "created_at, updated_at) VALUES (:id, :title, 'DVD', 100, :year, 3, :director, "
    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
).bindparams(sa.bindparam("id", type_=sa.Uuid))
LINKS = sa.text("INSERT INTO movie_genres (movie_id, genre_id) VALUES (:movie, :genre)").bindparams(
    sa.bindparam("movie", type_=sa.Uuid)
)


def _catalog_before_0017(connection):
    connection.execute(
        MOVIES,
        [
            {"id": GODFATHER, "title": "The Godfather", "year": 1972, "director": "Coppola"},
            {"id": CASABLANCA, "title": "Casablanca", "year": 1942, "director": None},
        ],
    )
    connection.execute(sa.text("INSERT INTO genres (id, name) VALUES (1, 'Drama'), (2, 'Crime')"))
    connection.execute(
        LINKS,
        [
            {"movie": GODFATHER, "genre": 1},
            {"movie": GODFATHER, "genre": 2},
            {"movie": CASABLANCA, "genre": 1},
        ],  # fmt: skip
    )


def _search(client, headers, **query):
    response = client.get("/catalog/movies/", query_string=query, headers=headers)
    assert response.status_code == 200, response.json
    return [movie["title"] for movie in response.json["data"]], response.json["count"]


def _answers(app, backend):
    client = app.test_client()
    token = client.post("/register/", json={"username": "reader", "password": "a long password 1"})
    headers = bearer(token.json["access_token"])
    typo = ["The Godfather"] if backend == "postgres" else []
    assert _search(client, headers, q="godfahter") == (typo, len(typo))
    assert _search(client, headers, q="casablanca") == (["Casablanca"], 1)
    assert _search(client, headers, genre="drama", format="DVD") == (
        ["Casablanca", "The Godfather"],
        2,
    )
    assert _search(client, headers, genre="crime", release_year=1972) == (["The Godfather"], 1)


def test_the_movies_before_the_migrations_are_found_after_them(empty_app, backend):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as connection:
            _catalog_before_0017(connection)
        flask_migrate.upgrade()
    _answers(empty_app, backend)


def test_a_downgrade_and_upgrade_make_the_words_and_counts_again(empty_app, backend):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="0016")
        with db.engine.begin() as connection:
            _catalog_before_0017(connection)
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="0016")
        flask_migrate.upgrade()
    _answers(empty_app, backend)
