"""The tables derived from the catalog on Postgres and kept by triggers: the words of titles
and directors (migration 0017) and the movies of each genre, format and year (0018).

The triggers keep them in step with every write, one statement at a time; for a load into an
empty catalog (src/catalog/empty_load.py, one transaction) that costs a trigger call with its
index insertions every batch, about as much as the rest of the load. There the triggers are
switched off for the load (`suspend`, inside its transaction: a kill rolls that back too) and
the tables made again from the loaded catalog in a few set-based statements (`rebuild`), with
the words' primary key built after its rows.
"""

from __future__ import annotations

from sqlalchemy import Connection

TRIGGERS = {
    "movies": ("movies_words_added", "movies_words_changed", "movies_words_removed",
               "movies_genre_counts_moved", "movies_genre_counts_deleted"),
    "movie_genres": ("movie_genres_counts_added", "movie_genres_counts_removed"),
}  # fmt: skip
TABLES = ("movie_words", "catalog_words", "catalog_genre_counts")
_REBUILD = (
    "TRUNCATE movie_words, catalog_genre_counts",
    "ALTER TABLE movie_words DROP CONSTRAINT pk_movie_words",
    "INSERT INTO movie_words (word, title, movie_id) SELECT w.word, m.title, m.id "
    "FROM movies AS m, catalog_words_of(m.title, m.director) AS w(word)",
    "ALTER TABLE movie_words ADD CONSTRAINT pk_movie_words PRIMARY KEY (word, title, movie_id)",
    "UPDATE catalog_words SET movies = 0 WHERE movies <> 0",
    "INSERT INTO catalog_words (word, movies) SELECT word, count(*) FROM movie_words "
    "GROUP BY word ON CONFLICT (word) DO UPDATE SET movies = excluded.movies",
    "INSERT INTO catalog_genre_counts (genre_id, format, release_year, movies) "
    "SELECT l.genre_id, m.format, m.release_year, count(*) FROM movie_genres AS l "
    "JOIN movies AS m ON m.id = l.movie_id GROUP BY l.genre_id, m.format, m.release_year",
)


def suspend(connection: Connection) -> None:
    """Switch the derived tables' triggers off for the rest of this transaction's load (the
    catalog's tables are locked by the load already). The derived tables are locked now, not
    at the rebuild: a search that read one of them and then waits for `movies` would
    otherwise deadlock with the rebuild."""
    connection.exec_driver_sql(
        "LOCK TABLE movie_words, catalog_genre_counts IN ACCESS EXCLUSIVE MODE"
    )
    for table, triggers in TRIGGERS.items():
        for trigger in triggers:
            connection.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")


def rebuild(connection: Connection) -> None:
    """Make the derived tables again from the loaded catalog, then switch their triggers on."""
    for statement in _REBUILD:
        connection.exec_driver_sql(statement)
    for table, triggers in TRIGGERS.items():
        for trigger in triggers:
            connection.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
