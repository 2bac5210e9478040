"""Migration 0008: collections stored the old way (one movie row per uuid, at 0007) keep
every movie they had, with its fields, position and genres, each collection its own copy;
the downgrade keeps every collection's movies, one copy per uuid."""

from datetime import UTC, datetime
from uuid import UUID

import flask_migrate
import sqlalchemy as sa

from src.accounts.service import hash_password
from src.columns import UtcDateTime
from src.extensions import db
from tests.conftest import PASSWORD, bearer

HEAT = UUID("00000000-0000-4000-8000-000000000001")
ALIEN = UUID("00000000-0000-4000-8000-000000000002")
UP = UUID("00000000-0000-4000-8000-000000000003")
ALICE_1 = UUID("00000000-0000-4000-a000-000000000001")
ALICE_2 = UUID("00000000-0000-4000-a000-000000000002")
ALICE_EMPTY = UUID("00000000-0000-4000-a000-000000000003")
BOB_1 = UUID("00000000-0000-4000-b000-000000000001")

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("role", sa.String),
    sa.column("created_at", UtcDateTime),
)
collections = sa.table(
    "collections",
    sa.column("uuid", sa.Uuid),
    sa.column("user_id", sa.Integer),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("created_at", UtcDateTime),
    sa.column("updated_at", UtcDateTime),
)
listed_movies = sa.table(
    "listed_movies",
    sa.column("uuid", sa.Uuid),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("genres", sa.String),
    sa.column("updated_at", UtcDateTime),
)
listed_movie_genres = sa.table(
    "listed_movie_genres", sa.column("movie_uuid", sa.Uuid), sa.column("genre", sa.String)
)


def _holding_columns():
    return (
        sa.column("collection_id", sa.Uuid),
        sa.column("movie_uuid", sa.Uuid),
        sa.column("position", sa.Integer),
    )


old_collection_movies = sa.table("collection_movies", *_holding_columns())
collection_movies = sa.table(
    "collection_movies",
    *_holding_columns(),
    sa.column("title", sa.String),
    sa.column("description", sa.Text),
    sa.column("genres", sa.String),
)
collection_movie_genres = sa.table(
    "collection_movie_genres",
    sa.column("collection_id", sa.Uuid),
    sa.column("movie_uuid", sa.Uuid),
    sa.column("genre", sa.String),
)

MOVIES = {
    HEAT: {"title": "Heat", "description": "L.A. crime", "genres": "Crime, Drama"},
    ALIEN: {"title": "Alien", "description": "", "genres": "Horror,Sci-Fi"},
    UP: {"title": "Up", "description": "Balloons", "genres": ""},
}
GENRES = {HEAT: ["Crime", "Drama"], ALIEN: ["Horror", "Sci-Fi"], UP: []}
HOLDINGS = {ALICE_1: [ALIEN, HEAT, UP], ALICE_2: [HEAT], ALICE_EMPTY: [], BOB_1: [UP, ALIEN]}
OWNERS = {ALICE_1: 1, ALICE_2: 1, ALICE_EMPTY: 1, BOB_1: 2}


def _at(day):
    return datetime(2026, 11, day, 12, 0, tzinfo=UTC)


def _insert_users_and_collections(connection):
    connection.execute(
        users.insert(),
        [
            {"id": number, "username": name, "password_hash": hash_password(PASSWORD)}
            | {"role": "user", "created_at": _at(1)}
            for number, name in ((1, "alice"), (2, "bob"))
        ],
    )
    connection.execute(
        collections.insert(),
        [
            {"uuid": uuid, "user_id": OWNERS[uuid], "title": f"Collection {day}"}
            | {"description": "", "created_at": _at(day), "updated_at": _at(day)}
            for day, uuid in enumerate(HOLDINGS, start=1)
        ],
    )


def _insert_the_old_way(connection):
    _insert_users_and_collections(connection)
    connection.execute(
        listed_movies.insert(),
        [{"uuid": uuid, **fields, "updated_at": _at(1)} for uuid, fields in MOVIES.items()],
    )
    genre_rows = [{"movie_uuid": uuid, "genre": g} for uuid, names in GENRES.items() for g in names]
    connection.execute(listed_movie_genres.insert(), genre_rows)
    connection.execute(
        old_collection_movies.insert(),
        [
            {"collection_id": collection, "movie_uuid": movie, "position": position}
            for collection, movies in HOLDINGS.items()
            for position, movie in enumerate(movies)
        ],
    )


def _rows(connection, table):
    return {tuple(row) for row in connection.execute(sa.select(table))}


def test_upgrade_gives_every_collection_its_own_copy_of_every_movie(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as connection:
            _insert_the_old_way(connection)
        flask_migrate.upgrade(revision="0008")
        with db.engine.connect() as connection:
            stored_movies = _rows(connection, collection_movies)
            stored_genres = _rows(connection, collection_movie_genres)
            tables = set(sa.inspect(connection).get_table_names())
    assert stored_movies == {
        (collection, movie, position, *MOVIES[movie].values())
        for collection, movies in HOLDINGS.items()
        for position, movie in enumerate(movies)
    }
    assert stored_genres == {
        (collection, movie, genre)
        for collection, movies in HOLDINGS.items()
        for movie in movies
        for genre in GENRES[movie]
    }
    assert not tables & {"listed_movies", "listed_movie_genres"}


def test_the_migrated_collections_answer_as_before(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as connection:
            _insert_the_old_way(connection)
        flask_migrate.upgrade()
    client = empty_app.test_client()
    login = client.post("/login/", json={"username": "alice", "password": PASSWORD})
    alice = bearer(login.json["access_token"])
    first = client.get(f"/collection/{ALICE_1}/", headers=alice).json
    assert first["movies"] == [{**MOVIES[movie], "uuid": str(movie)} for movie in HOLDINGS[ALICE_1]]
    listing = client.get("/collection/", headers=alice).json["data"]
    assert [item["uuid"] for item in listing["collections"]] == [
        str(ALICE_1),
        str(ALICE_2),
        str(ALICE_EMPTY),
    ]
    assert listing["favourite_genres"] == "Crime, Drama, Horror"


def _insert_diverging_copies(connection):
    """Alice's Heat as first sent; Bob's later collection holds it renamed, other genres."""
    _insert_users_and_collections(connection)
    recut = {**MOVIES[HEAT], "title": "Heat (recut)", "genres": "Comedy"}
    heats = {ALICE_1: MOVIES[HEAT], BOB_1: recut}
    connection.execute(
        collection_movies.insert(),
        [
            {"collection_id": ALICE_1, "movie_uuid": HEAT, "position": 0, **heats[ALICE_1]},
            {"collection_id": ALICE_1, "movie_uuid": UP, "position": 1, **MOVIES[UP]},
            {"collection_id": BOB_1, "movie_uuid": HEAT, "position": 0, **heats[BOB_1]},
        ],
    )
    connection.execute(
        collection_movie_genres.insert(),
        [
            {"collection_id": ALICE_1, "movie_uuid": HEAT, "genre": "Crime"},
            {"collection_id": ALICE_1, "movie_uuid": HEAT, "genre": "Drama"},
            {"collection_id": BOB_1, "movie_uuid": HEAT, "genre": "Comedy"},
        ],
    )
    return heats[BOB_1]


def test_downgrade_keeps_every_collection_with_one_copy_per_uuid(empty_app):
    with empty_app.app_context():
        flask_migrate.upgrade(revision="0008")
        with db.engine.begin() as connection:
            newest = _insert_diverging_copies(connection)
        flask_migrate.downgrade(revision="0007")
        with db.engine.connect() as connection:
            holdings = _rows(connection, old_collection_movies)
            movies = {row[0]: row[1:4] for row in _rows(connection, listed_movies)}
            genres = _rows(connection, listed_movie_genres)
    assert holdings == {(ALICE_1, HEAT, 0), (ALICE_1, UP, 1), (BOB_1, HEAT, 0)}
    # Bob's collection was updated last (day 4 against day 1): its copy is the one kept.
    assert movies == {HEAT: tuple(newest.values()), UP: tuple(MOVIES[UP].values())}
    assert genres == {(HEAT, "Comedy")}
