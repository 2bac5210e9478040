"""catalog: the words of titles and directors, for a typo search that scales

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

A `q` that is one word (letters and digits, three or more, at least one letter) is matched on
Postgres through the words of the catalog instead of row by row: `catalog_words` holds every
distinct word of a title or director (lower case; a word is a run of letters and digits with
at least one letter) with how many movies have it, searched by trigram (a near spelling, or
q inside it), and
`movie_words` says which movies have each word, with the movie's title (one row a word and
movie; its primary key is (word, title, movie_id)), so the movies of a word that 71,000
movies share are counted (by the word's count, or one index range when several words match)
instead of 71,000 rows rechecked, and a page of them by title is read in order from that
range. Triggers on `movies` keep both in step with every write, in the
writing statement's transaction: the API's, the import's (its upserts and COPY), a delete,
and TRUNCATE. They are statement-level with transition tables: a bulk insert pays one
set-based insert of its words, not a call a row. A word no movie has any more keeps its row
with a count of 0 (searches skip it). Every catalog write bumps the catalog revision first,
so writers take the words' rows one transaction at a time. SQLite has none of this:
it keeps the plain substring match of q.
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# One definition of what a word is, used by the triggers and by the backfill below.
WORDS_OF = """
CREATE FUNCTION catalog_words_of(title text, director text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT word
    FROM regexp_split_to_table(lower(coalesce(title, '') || ' ' || coalesce(director, '')),
                               '[^[:alnum:]]+') AS word
    WHERE word ~ '[[:alpha:]]'
$$
"""
# Each adds or takes away the (word, title, movie) rows of the movies its statement wrote,
# and the words' movie counts by as many.
ADDED = """
CREATE FUNCTION catalog_words_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH fresh AS (
        INSERT INTO movie_words (word, title, movie_id)
        SELECT w.word, n.title, n.id
        FROM added AS n, catalog_words_of(n.title, n.director) AS w(word)
        RETURNING word
    )
    INSERT INTO catalog_words (word, movies) SELECT word, count(*) FROM fresh GROUP BY word
    ON CONFLICT (word) DO UPDATE SET movies = catalog_words.movies + excluded.movies;
    RETURN NULL;
END $$
"""
# Only the movies whose title or director changed; of their (word, title, movie) rows only
# those that differ are deleted or inserted (the two never touch the same row), and each
# word's count changes once, by the difference.
CHANGED = """
CREATE FUNCTION catalog_words_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT n.id, n.title, n.director, o.title AS old_title, o.director AS old_director
        FROM changed AS n JOIN before AS o ON o.id = n.id
        WHERE (n.title, n.director) IS DISTINCT FROM (o.title, o.director)
    ), old_words AS (
        SELECT w.word, m.old_title AS title, m.id
        FROM moved AS m, catalog_words_of(m.old_title, m.old_director) AS w(word)
    ), new_words AS (
        SELECT w.word, m.title, m.id
        FROM moved AS m, catalog_words_of(m.title, m.director) AS w(word)
    ), gone AS (
        DELETE FROM movie_words AS m
        USING (SELECT * FROM old_words EXCEPT SELECT * FROM new_words) AS g
        WHERE m.word = g.word AND m.title = g.title AND m.movie_id = g.id
        RETURNING m.word
    ), fresh AS (
        INSERT INTO movie_words (word, title, movie_id)
        SELECT word, title, id FROM (SELECT * FROM new_words EXCEPT SELECT * FROM old_words) AS f
        RETURNING word
    )
    INSERT INTO catalog_words (word, movies)
    SELECT word, sum(n) FROM (
        SELECT word, 1 AS n FROM fresh UNION ALL SELECT word, -1 FROM gone
    ) AS d GROUP BY word HAVING sum(n) <> 0
    ON CONFLICT (word) DO UPDATE SET movies = catalog_words.movies + excluded.movies;
    RETURN NULL;
END $$
"""
REMOVED = """
CREATE FUNCTION catalog_words_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        DELETE FROM movie_words AS m USING (
            SELECT w.word, o.title, o.id
            FROM removed AS o, catalog_words_of(o.title, o.director) AS w(word)
        ) AS g
        WHERE m.word = g.word AND m.title = g.title AND m.movie_id = g.id
        RETURNING m.word
    )
    UPDATE catalog_words AS c SET movies = c.movies - g.n
    FROM (SELECT word, count(*) AS n FROM gone GROUP BY word) AS g WHERE c.word = g.word;
    RETURN NULL;
END $$
"""
EMPTIED = """
CREATE FUNCTION catalog_words_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE movie_words;
    UPDATE catalog_words SET movies = 0 WHERE movies <> 0;
    RETURN NULL;
END $$
"""
TRIGGERS = {
    "movies_words_added": "AFTER INSERT ON movies REFERENCING NEW TABLE AS added "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_added()",
    "movies_words_changed": "AFTER UPDATE ON movies REFERENCING OLD TABLE AS before "
    "NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_changed()",
    "movies_words_removed": "AFTER DELETE ON movies REFERENCING OLD TABLE AS removed "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_removed()",
    "movies_words_emptied": "AFTER TRUNCATE ON movies "
    "FOR EACH STATEMENT EXECUTE FUNCTION catalog_words_emptied()",
}
FUNCTIONS = (
    "catalog_words_added()",
    "catalog_words_changed()",
    "catalog_words_removed()",
    "catalog_words_emptied()",
    "catalog_words_of(text, text)",
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("SET LOCAL statement_timeout = 0")  # the backfill reads every movie
    # No CHECK (movies >= 0): an upsert checks the row it proposes (a negative difference)
    # before it finds the conflict that turns it into an update.
    op.execute("CREATE TABLE catalog_words (word text PRIMARY KEY, movies integer NOT NULL)")
    op.execute(
        "CREATE TABLE movie_words (word text NOT NULL, title varchar(50) NOT NULL, "
        "movie_id uuid NOT NULL, CONSTRAINT pk_movie_words PRIMARY KEY (word, title, movie_id))"
    )
    for statement in (WORDS_OF, ADDED, CHANGED, REMOVED, EMPTIED):
        op.execute(statement)
    op.execute(
        "INSERT INTO movie_words (word, title, movie_id) SELECT w.word, m.title, m.id "
        "FROM movies AS m, catalog_words_of(m.title, m.director) AS w(word)"
    )
    op.execute(
        "INSERT INTO catalog_words (word, movies) SELECT word, count(*) FROM movie_words "
        "GROUP BY word"
    )
    op.execute("CREATE INDEX ix_catalog_words_trgm ON catalog_words USING gin (word gin_trgm_ops)")
    for name, definition in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON movies")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP TABLE movie_words")
    op.execute("DROP TABLE catalog_words")
