"""Concurrent requests storing the same movies: every one succeeds, each movie is stored
once, and no two requests deadlock on Postgres or lock each other out on SQLite. Commits
for real (no rollback), so it cleans up what it made."""

import threading
import uuid

import pytest
from sqlalchemy import delete, func, select

from src.accounts.models import User
from src.collections_api.models import ListedMovie
from src.extensions import db
from tests.conftest import PASSWORD, bearer
from tests.support.collections import listed

WRITERS = 4
ROUNDS = 5
MOVIES = [listed(9000 + number, genres="Drama,Action") for number in range(40)]
USERNAMES = [f"concurrent-{number}" for number in range(WRITERS)]
UUIDS = [uuid.UUID(movie["uuid"]) for movie in MOVIES]


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
        db.session.execute(delete(User).where(User.username.in_(USERNAMES)))
        db.session.execute(delete(ListedMovie).where(ListedMovie.uuid.in_(UUIDS)))
        db.session.commit()


def test_overlapping_collections_in_opposite_orders_all_succeed(app, writers):
    statuses = []
    start = threading.Barrier(WRITERS)

    def write(headers, reverse):
        client = app.test_client()
        movies = MOVIES[::-1] if reverse else MOVIES
        start.wait(timeout=10)
        for round_number in range(ROUNDS):
            body = {"title": f"Round {round_number}", "movies": movies}
            statuses.append(client.post("/collection/", json=body, headers=headers).status_code)

    threads = [
        threading.Thread(target=write, args=(headers, index % 2 == 1))
        for index, headers in enumerate(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201] * (WRITERS * ROUNDS)
    with app.app_context():
        stored = select(func.count()).where(ListedMovie.uuid.in_(UUIDS))
        assert db.session.execute(stored).scalar_one() == len(MOVIES)
    favourites = app.test_client().get("/collection/", headers=writers[0]).json["data"]
    assert favourites["favourite_genres"] == "Action, Drama"
