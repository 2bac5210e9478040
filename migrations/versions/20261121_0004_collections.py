"""collections and the movie list's movies they hold

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
# Byte order on Postgres too, so that ties between genres break as on SQLite.
GENRE = sa.String(length=500).with_variant(sa.String(length=500, collation="C"), "postgresql")


def upgrade():
    op.create_table(
        "listed_movies",
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("genres", sa.String(length=500), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "length(title) BETWEEN 1 AND 500", name=op.f("ck_listed_movies_title_length")
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_listed_movies")),
    )

    op.create_table(
        "listed_movie_genres",
        sa.Column("movie_uuid", sa.Uuid(), nullable=False),
        sa.Column("genre", GENRE, nullable=False),
        sa.ForeignKeyConstraint(
            ["movie_uuid"],
            ["listed_movies.uuid"],
            name=op.f("fk_listed_movie_genres_movie_uuid_listed_movies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("movie_uuid", "genre", name=op.f("pk_listed_movie_genres")),
    )

    op.create_table(
        "collections",
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "length(trim(title)) BETWEEN 1 AND 200", name=op.f("ck_collections_title_length")
        ),
        sa.CheckConstraint(
            "length(description) <= 2000", name=op.f("ck_collections_description_length")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_collections_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("uuid", name=op.f("pk_collections")),
    )
    op.create_index("ix_collections_user_id", "collections", ["user_id"])

    op.create_table(
        "collection_movies",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("movie_uuid", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["collections.uuid"],
            name=op.f("fk_collection_movies_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["movie_uuid"],
            ["listed_movies.uuid"],
            name=op.f("fk_collection_movies_movie_uuid_listed_movies"),
        ),
        sa.PrimaryKeyConstraint("collection_id", "movie_uuid", name=op.f("pk_collection_movies")),
    )


def downgrade():
    op.drop_table("collection_movies")
    op.drop_index("ix_collections_user_id", table_name="collections")
    op.drop_table("collections")
    op.drop_table("listed_movie_genres")
    op.drop_table("listed_movies")
