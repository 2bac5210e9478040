"""The statements of `q` are served by the trigram indexes of migration 0015."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from src.catalog import repository
from src.extensions import db

TRIGRAM_INDEXES = ("ix_movies_title_trgm", "ix_movies_director_trgm")


def test_q_by_substring_and_by_near_spelling_is_served_by_the_trigram_indexes(app, backend):
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
    # LIKE and word similarity, in title and in director: four scans, none of the table.
    assert len(scans) == 4, plan
    assert all(any(name in line for name in TRIGRAM_INDEXES) for line in scans), plan
