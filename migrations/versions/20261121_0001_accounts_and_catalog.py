"""accounts and catalog

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint("role IN ('user', 'admin')", name=op.f("ck_users_role_known")),
        sa.CheckConstraint(
            "length(username) BETWEEN 3 AND 150", name=op.f("ck_users_username_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)

    op.create_table(
        "revoked_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("revoked_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_revoked_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_revoked_tokens")),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    op.create_index("ix_revoked_tokens_user_id", "revoked_tokens", ["user_id"])

    op.create_table(
        "genres",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.CheckConstraint(
            "length(trim(name)) BETWEEN 1 AND 50", name=op.f("ck_genres_name_length")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_genres")),
    )
    op.create_index("uq_genres_name_lower", "genres", [sa.text("lower(name)")], unique=True)

    op.create_table(
        "movies",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=50), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("release_year", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("director", sa.String(length=100), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("imdb_score", sa.Float(), nullable=True),
        sa.Column("popularity", sa.Float(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "length(trim(title)) BETWEEN 1 AND 50", name=op.f("ck_movies_title_length")
        ),
        sa.CheckConstraint(
            "format IN ('VHS', 'DVD', 'Streaming')", name=op.f("ck_movies_format_known")
        ),
        sa.CheckConstraint("length BETWEEN 0 AND 500", name=op.f("ck_movies_length_range")),
        sa.CheckConstraint(
            "release_year BETWEEN 1800 AND 2100", name=op.f("ck_movies_release_year_range")
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_movies_rating_range")),
        sa.CheckConstraint(
            "imdb_score IS NULL OR imdb_score BETWEEN 0 AND 10",
            name=op.f("ck_movies_imdb_score_range"),
        ),
        sa.CheckConstraint(
            "popularity IS NULL OR popularity BETWEEN 0 AND 100",
            name=op.f("ck_movies_popularity_range"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movies")),
    )
    for column in ("release_year", "rating", "format", "expiry_date", "updated_at"):
        op.create_index(f"ix_movies_{column}", "movies", [column])
    op.create_index("ix_movies_title_lower", "movies", [sa.text("lower(title)")])
    op.create_index("ix_movies_director_lower", "movies", [sa.text("lower(director)")])

    op.create_table(
        "movie_genres",
        sa.Column("movie_id", sa.Uuid(), nullable=False),
        sa.Column("genre_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["genre_id"],
            ["genres.id"],
            name=op.f("fk_movie_genres_genre_id_genres"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["movie_id"],
            ["movies.id"],
            name=op.f("fk_movie_genres_movie_id_movies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("movie_id", "genre_id", name=op.f("pk_movie_genres")),
    )
    op.create_index("ix_movie_genres_genre_id", "movie_genres", ["genre_id"])


def downgrade():
    op.drop_table("movie_genres")
    op.drop_table("movies")
    op.drop_table("genres")
    op.drop_table("revoked_tokens")
    op.drop_table("users")
