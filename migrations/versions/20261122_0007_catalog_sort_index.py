"""catalog: an index for the default sort (title, then id)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

The catalog list sorts by title and breaks ties by id; without this index Postgres sorts
the whole table for every page.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_movies_title_id", "movies", ["title", "id"])


def downgrade():
    op.drop_index("ix_movies_title_id", table_name="movies")
