"""The database repeats the catalog's limits: writes that bypass the schemas still fail."""

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DataError, IntegrityError

from src.accounts.models import User
from src.catalog.models import Genre, Movie
from src.extensions import db

VALID = {"title": "Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", ""),
        ("title", "   "),
        ("format", "dvd"),
        ("format", "Blu-ray"),
        ("length", -1),
        ("length", 501),
        ("release_year", 1799),
        ("release_year", 2101),
        ("rating", 0),
        ("rating", 6),
        ("imdb_score", 10.5),
        ("popularity", -1),
    ],
)
def test_database_refuses_out_of_range_movies(app, rollback_db, field, value):
    with app.app_context():
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                db.session.execute(insert(Movie).values(**{**VALID, field: value}))
        assert db.session.scalar(select(Movie).limit(1)) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "x"),
        ("length", 0),
        ("length", 500),
        ("release_year", 1800),
        ("release_year", 2100),
        ("rating", 1),
        ("format", "Streaming"),
    ],
)
def test_database_accepts_the_boundaries(app, rollback_db, field, value):
    with app.app_context():
        db.session.execute(insert(Movie).values(**{**VALID, field: value}))
        assert db.session.scalar(select(Movie.title)) is not None


def test_database_refuses_titles_over_fifty_characters(app, rollback_db):
    # Postgres refuses it as VARCHAR(50) (DataError); SQLite ignores VARCHAR lengths, so
    # there it is the CHECK constraint (IntegrityError).
    with app.app_context(), pytest.raises((IntegrityError, DataError)):
        with db.session.begin_nested():
            db.session.execute(
                text(
                    "INSERT INTO movies (id, title, format, length, release_year, rating, "
                    "created_at, updated_at) VALUES ('0d8e3d4c-6b4e-4f57-9d4b-1e0e7f1f2a3b', "
                    ":title, 'DVD', 1, 1900, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"title": "y" * 51},
            )


def test_genre_names_are_unique_whatever_their_case(app, rollback_db):
    with app.app_context():
        db.session.add(Genre(name="Drama"))
        db.session.flush()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(Genre(name="DRAMA"))


def test_usernames_are_unique_whatever_their_case(app, rollback_db):
    with app.app_context():
        db.session.add(User(username="alice", password_hash="x", role="user"))
        db.session.flush()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(User(username="ALICE", password_hash="x", role="user"))


def test_roles_are_limited_to_user_and_admin(app, rollback_db):
    with app.app_context(), pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(User(username="mallory", password_hash="x", role="root"))
