"""catalog: one trigram index over title and director together

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

`q` is looked for in title and director at once: lower(title || newline || director), one
GIN trigram index (src/catalog/repository.py builds the same expression). One index scan a
search instead of one for each column, and one word similarity a row to rank it instead of
two. It replaces 0015's two single-column trigram indexes, which nothing else used: writes
keep one GIN index up to date instead of two. SQLite has no pg_trgm and nothing changes there.
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

SEARCH_TEXT = "lower((title)::text || E'\\n' || coalesce((director)::text, ''))"
SINGLE_COLUMN = {"ix_movies_title_trgm": "title", "ix_movies_director_trgm": "director"}


def _without_statement_timeout():
    # Building a trigram index over a million movies takes longer than a request may.
    op.execute("SET LOCAL statement_timeout = 0")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _without_statement_timeout()
    op.execute(
        f"CREATE INDEX ix_movies_search_trgm ON movies USING gin ({SEARCH_TEXT} gin_trgm_ops)"
    )
    for name in SINGLE_COLUMN:
        op.drop_index(name, table_name="movies")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _without_statement_timeout()
    for name, column in SINGLE_COLUMN.items():
        op.execute(f"CREATE INDEX {name} ON movies USING gin (lower({column}) gin_trgm_ops)")
    op.drop_index("ix_movies_search_trgm", table_name="movies")
