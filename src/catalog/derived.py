"""The tables derived from the catalog on Postgres and kept by triggers: the words of titles
and directors (migration 0017) and the movies of each genre, format and year (0018).

The triggers keep them in step with every write, one statement at a time. A load into an
empty catalog (src/catalog/empty_load.py, one transaction) switches them off for the load
(`suspend`, inside its transaction: a kill rolls that back too). Through them every batch
would update each count it touches once more, and in one transaction each update leaves a
version that the next batch's upsert walks past: a million movies loaded at 10,500 rows/s
at the start and 4,900 at the end. Instead each COPYed batch's words are inserted right
after it (`add_words`), while the import reads the next batch, and the words' primary key,
the words' counts and the genre counts are made over the loaded catalog at the end
(`rebuild`), in a few set-based statements.
"""

from __future__ import annotations

from sqlalchemy import Connection

TRIGGERS = {
    "movies": ("movies_words_added", "movies_words_changed", "movies_words_removed",
               "movies_genre_counts_moved", "movies_genre_counts_deleted"),
    "movie_genres": ("movie_genres_counts_added", "movie_genres_counts_removed"),
}  # fmt: skip
TABLES = ("movie_words", "catalog_words", "catalog_genre_counts")
_WORDS_OF = (
    "INSERT INTO movie_words (word, title, movie_id) SELECT w.word, m.title, m.id "
    "FROM movies AS m, catalog_words_of(m.title, m.director) AS w(word)"
)
_COUNTS = (
    "ALTER TABLE movie_words ADD CONSTRAINT pk_movie_words PRIMARY KEY (word, title, movie_id)",
    "UPDATE catalog_words SET movies = 0 WHERE movies <> 0",
    "INSERT INTO catalog_words (word, movies) SELECT word, count(*) FROM movie_words "
    "GROUP BY word ON CONFLICT (word) DO UPDATE SET movies = excluded.movies",
    "TRUNCATE catalog_genre_counts",
    "INSERT INTO catalog_genre_counts (genre_id, format, release_year, movies) "
    "SELECT l.genre_id, m.format, m.release_year, count(*) FROM movie_genres AS l "
    "JOIN movies AS m ON m.id = l.movie_id GROUP BY l.genre_id, m.format, m.release_year",
)


def suspend(connection: Connection) -> None:
    """Switch the derived tables' triggers off for the rest of this transaction's load and
    drop the words' primary key (built over all the words at the end, as the catalog's own
    secondary indexes are). The derived tables are locked now, not at the rebuild: a search
    that read one of them and then waits for `movies` would otherwise deadlock with it."""
    connection.exec_driver_sql(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE")
    _switch_triggers(connection, "DISABLE")
    connection.exec_driver_sql("ALTER TABLE movie_words DROP CONSTRAINT pk_movie_words")


def add_words(connection: Connection, first_id: str, last_id: str) -> None:
    """The words of the movies whose ids are from first_id to last_id: one COPYed batch,
    whose ids rise (src/dialects.RisingUuids) past every id loaded before it."""
    connection.exec_driver_sql(
        f"{_WORDS_OF} WHERE m.id BETWEEN %(first)s AND %(last)s",
        {"first": first_id, "last": last_id},
    )


def rebuild(connection: Connection, *, every_word: bool) -> None:
    """Make what the triggers would have kept from the loaded catalog, then switch them on:
    every movie's words too when `every_word` (a batch was upserted, not COPYed with its
    words), else only the words' key and counts, and the genre counts."""
    if every_word:
        connection.exec_driver_sql("TRUNCATE movie_words")
        connection.exec_driver_sql(_WORDS_OF)
    for statement in _COUNTS:
        connection.exec_driver_sql(statement)
    _switch_triggers(connection, "ENABLE")


def _switch_triggers(connection: Connection, switch: str) -> None:
    for table, triggers in TRIGGERS.items():
        for trigger in triggers:
            connection.exec_driver_sql(f"ALTER TABLE {table} {switch} TRIGGER {trigger}")
