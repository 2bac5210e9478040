"""Migration 0017's trigram index over title and director: the search's statements use it,
and the migration goes down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy import make_url

from src import create_app
from src.catalog import repository
from src.extensions import db
from tests.conftest import POSTGRES_URL, postgres_database, settings_for_tests

SINGLE_COLUMN = {"ix_movies_title_trgm", "ix_movies_director_trgm"}


@pytest.fixture
def empty_app(backend, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own with no tables yet."""
    with ExitStack() as stack:
        if backend == "postgres":
            name = f"{make_url(POSTGRES_URL).database}_search_index"
            url = stack.enter_context(postgres_database(name))
        else:
            url = f"sqlite:///{tmp_path}/search_index.db"
        application = create_app(settings_for_tests(url, str(tmp_path)))
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def _trigram_indexes() -> set[str]:
    if db.engine.dialect.name != "postgresql":
        return set()
    query = sa.text(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'movies' AND indexdef LIKE '%trgm%'"
    )
    with db.engine.connect() as connection:
        return set(connection.scalars(query))


def test_the_migration_goes_down_to_two_column_indexes_and_up_to_one(empty_app, backend):
    with empty_app.app_context():
        flask_migrate.upgrade()
        combined = {"ix_movies_search_trgm"} if backend == "postgres" else set()
        assert _trigram_indexes() == combined
        flask_migrate.downgrade(revision="0016")
        assert _trigram_indexes() == (SINGLE_COLUMN if backend == "postgres" else set())
        flask_migrate.upgrade()
        assert _trigram_indexes() == combined


def test_q_by_substring_and_by_near_spelling_is_served_by_the_trigram_index(app, backend):
    if backend != "postgres":
        pytest.skip("pg_trgm exists only on Postgres")
    with app.app_context():
        statement = repository.matching(q="godfahter").compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
        with db.engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
            # Compiled for the driver (its %% escapes), so handed to it with (empty) parameters.
            plan = connection.exec_driver_sql(f"EXPLAIN {statement}", ()).scalars().all()
    scans = [line for line in plan if "Index Scan" in line]
    # The LIKE and the word similarity both: the expression is the index's, to the letter.
    assert len(scans) == 2 and all("ix_movies_search_trgm" in line for line in scans), plan
