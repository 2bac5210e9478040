"""catalog: trigram search and an index for every filter and sort

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

`q` matches title or director by substring or by a near spelling (pg_trgm's word
similarity); both go through GIN trigram indexes on lower(title) and lower(director).
Each sortable column gets a (column, id) index: a sort by one column, either direction,
and the cursor's keyset predicate on it walk that index (backwards for descending). The
filters genre+format+year ordered by title use (format, release_year, title, id).
SQLite has no pg_trgm: it keeps the plain LIKE of q (substring, no typo tolerance) and
gets the same btree indexes.
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

SORT_INDEXES = {
    "ix_movies_format_id": ["format", "id"],
    "ix_movies_length_id": ["length", "id"],
    "ix_movies_release_year_id": ["release_year", "id"],
    "ix_movies_rating_id": ["rating", "id"],
    "ix_movies_director_id": ["director", "id"],
    "ix_movies_expiry_date_id": ["expiry_date", "id"],
    "ix_movies_imdb_score_id": ["imdb_score", "id"],
    "ix_movies_popularity_id": ["popularity", "id"],
    "ix_movies_created_at_id": ["created_at", "id"],
    "ix_movies_updated_at_id": ["updated_at", "id"],
    "ix_movies_format_year_title": ["format", "release_year", "title", "id"],
}
# The (column, id) indexes lead with what these single-column ones indexed.
REPLACED = {
    "ix_movies_release_year": "release_year",
    "ix_movies_rating": "rating",
    "ix_movies_format": "format",
    "ix_movies_expiry_date": "expiry_date",
    "ix_movies_updated_at": "updated_at",
}
TRIGRAM_INDEXES = {"ix_movies_title_trgm": "title", "ix_movies_director_trgm": "director"}


def upgrade():
    for name, columns in SORT_INDEXES.items():
        op.create_index(name, "movies", columns)
    for name in REPLACED:
        op.drop_index(name, table_name="movies")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON movies USING gin (lower({column}) gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.drop_index(name, table_name="movies")
    for name, column in REPLACED.items():
        op.create_index(name, "movies", [column])
    for name in SORT_INDEXES:
        op.drop_index(name, table_name="movies")
