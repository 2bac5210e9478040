"""Concurrent requests holding the same movies: every one succeeds, each owner keeps what
they sent, and no two requests deadlock on Postgres or lock each other out on SQLite.
Commits for real (no rollback), so it cleans up what it made."""

import threading

import pytest
from sqlalchemy import delete

from src.accounts.models import User
from src.extensions import db
from tests.conftest import PASSWORD, bearer
from tests.support.collections import listed

WRITERS = 4
ROUNDS = 5
USERNAMES = [f"concurrent-{number}" for number in range(WRITERS)]


def _movies_of(writer):
    """The same 40 uuids for every writer, with that writer's own titles and genres."""
    genres = "Drama,Action" if writer % 2 == 0 else "Western"
    return [
        listed(9000 + number, title=f"Movie {number} for writer {writer}", genres=genres)
        for number in range(40)
    ]


@pytest.fixture
def writers(app):
    client = app.test_client()
    tokens = []
    for username in USERNAMES:
        response = client.post("/register/", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.json
        tokens.append(bearer(response.json["access_token"]))
    yield tokens
    with app.app_context():
        # Their collections, and the movies those hold, go with them (ON DELETE CASCADE).
        db.session.execute(delete(User).where(User.username.in_(USERNAMES)))
        db.session.commit()


def _run_together(work, args):
    start = threading.Barrier(len(args))

    def run(*arguments):
        start.wait(timeout=10)
        work(*arguments)

    threads = [threading.Thread(target=run, args=arguments) for arguments in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_users_adding_the_same_uuids_at_once_all_succeed_with_their_own_copy(app, writers):
    statuses = []
    created = {writer: [] for writer in range(WRITERS)}

    def write(writer):
        client = app.test_client()
        # Opposite orders on alternate writers: the same uuids, never the same rows.
        movies = _movies_of(writer)[:: -1 if writer % 2 else 1]
        for round_number in range(ROUNDS):
            body = {"title": f"Round {round_number}", "movies": movies}
            response = client.post("/collection/", json=body, headers=writers[writer])
            statuses.append(response.status_code)
            created[writer].append((response.json["collection_uuid"], movies))

    _run_together(write, [(writer,) for writer in range(WRITERS)])
    assert statuses == [201] * (WRITERS * ROUNDS)
    client = app.test_client()
    for writer, collections in created.items():
        for collection_uuid, movies in collections:
            stored = client.get(f"/collection/{collection_uuid}/", headers=writers[writer])
            assert stored.json["movies"] == movies
    listings = [client.get("/collection/", headers=headers).json["data"] for headers in writers]
    assert [listing["favourite_genres"] for listing in listings] == [
        "Action, Drama",
        "Western",
    ] * (WRITERS // 2)


def test_puts_of_one_collection_at_once_all_succeed_and_one_list_wins(app, writers):
    client = app.test_client()
    owner = writers[0]
    body = {"title": "Shared", "movies": _movies_of(0)}
    collection_uuid = client.post("/collection/", json=body, headers=owner).json["collection_uuid"]
    bodies = [{"movies": _movies_of(writer)[writer:]} for writer in range(WRITERS)]
    statuses = []

    def put(movies_body):
        for _ in range(ROUNDS):
            response = app.test_client().put(
                f"/collection/{collection_uuid}/", json=movies_body, headers=owner
            )
            statuses.append(response.status_code)

    _run_together(put, [(movies_body,) for movies_body in bodies])
    assert statuses == [200] * (WRITERS * ROUNDS)
    stored = client.get(f"/collection/{collection_uuid}/", headers=owner).json["movies"]
    assert {"movies": stored} in bodies
