"""The statements of `q` are served by the trigram indexes of migration 0015."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from src.catalog import repository
from src.extensions import db

TRIGRAM_INDEXES = ("ix_movies_title_trgm", "ix_movies_director_trgm")


def _plan(app, **filters):
    with app.app_context():
        statement = repository.matching(**filters).compile(
            db.engine, compile_kwargs={"literal_binds": True}
        )
        with db.engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
            # Compiled for the driver (its %% escapes), so handed to it with (empty) parameters.
            return connection.exec_driver_sql(f"EXPLAIN {statement}", ()).scalars().all()


def test_q_by_substring_and_by_near_spelling_is_served_by_the_trigram_indexes(app, backend):
    if backend != "postgres":
        pytest.skip("pg_trgm exists only on Postgres")
    # More than one word: matched row by row against the whole title and director.
    plan = _plan(app, q="the godfahter")
    scans = [line for line in plan if "Index Scan" in line]
    # LIKE and word similarity, in title and in director: four scans, none of the table.
    assert len(scans) == 4, plan
    assert all(any(name in line for name in TRIGRAM_INDEXES) for line in scans), plan


def test_a_one_word_q_goes_through_the_catalogs_words_not_every_title(app, backend):
    if backend != "postgres":
        pytest.skip("pg_trgm exists only on Postgres")
    plan = _plan(app, q="godfahter")
    # Its near words from catalog_words, their movies from movie_words' (word, title, id) rows.
    assert any("on catalog_words" in line for line in plan), plan
    assert any("on movie_words" in line for line in plan), plan
    # Not a trigram scan of every title and director.
    assert not any(name in line for line in plan for name in TRIGRAM_INDEXES), plan
