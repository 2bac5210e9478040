"""catalog: external_id, the key of a movie in the files it is imported from

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

`flask catalog import` updates the movie that has a row's external_id instead of adding a
copy, so running an import again (after a crash, or with corrected data) is safe. Movies
made through the API have none; the unique index covers only the movies that have one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WHERE = "external_id IS NOT NULL"


def upgrade():
    op.add_column("movies", sa.Column("external_id", sa.String(length=100), nullable=True))
    op.create_index(
        "uq_movies_external_id",
        "movies",
        ["external_id"],
        unique=True,
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade():
    op.drop_index("uq_movies_external_id", table_name="movies")
    with op.batch_alter_table("movies") as batch:
        batch.drop_column("external_id")
