"""collections: each collection keeps its own copy of its movies

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Until 0007 a movie was stored once by uuid (listed_movies) and rewritten by whoever added
it next, so one user's request changed another user's collections. Now collection_movies
carries the movie's title, description and genres, and collection_movie_genres its split
genres, per (collection, movie). Every collection keeps every movie it had, with the fields
as they were stored, its position and its genres. The downgrade collapses the copies to one
per uuid (that of the most recently updated collection holding it); no collection loses a
movie.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)
# Byte order on Postgres too, so that ties between genres break as on SQLite.
GENRE = sa.String(length=500).with_variant(sa.String(length=500, collation="C"), "postgresql")
MOVIE_FIELDS = ("title", "description", "genres")
TITLE_CHECK = "length(title) BETWEEN 1 AND 500"
# SQLite's batch mode reflects the table; its foreign keys' tables need not be (users has
# an expression index that reflection cannot read and warns about).
REFLECT = {"resolve_fks": False}

collections = sa.table("collections", sa.column("uuid"), sa.column("updated_at"))
collection_movies = sa.table(
    "collection_movies",
    sa.column("collection_id"),
    sa.column("movie_uuid"),
    *(sa.column(name) for name in MOVIE_FIELDS),
)
collection_movie_genres = sa.table(
    "collection_movie_genres",
    sa.column("collection_id"),
    sa.column("movie_uuid"),
    sa.column("genre"),
)
listed_movies = sa.table(
    "listed_movies",
    sa.column("uuid"),
    *(sa.column(name) for name in MOVIE_FIELDS),
    sa.column("updated_at"),
)
listed_movie_genres = sa.table("listed_movie_genres", sa.column("movie_uuid"), sa.column("genre"))


def upgrade():
    # SQLite recreates collection_movies below (batch mode): do it while no table refers
    # to it, since dropping a referenced table there would cascade into the referrer.
    with op.batch_alter_table("collection_movies", reflect_kwargs=REFLECT) as batch:
        batch.add_column(sa.Column("title", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("genres", sa.String(length=500), nullable=True))
    op.execute(_copy_stored_fields())
    with op.batch_alter_table("collection_movies", reflect_kwargs=REFLECT) as batch:
        batch.drop_constraint(
            op.f("fk_collection_movies_movie_uuid_listed_movies"), type_="foreignkey"
        )
        for name in MOVIE_FIELDS:
            batch.alter_column(name, existing_type=_field_type(name), nullable=False)
        batch.create_check_constraint(op.f("ck_collection_movies_title_length"), TITLE_CHECK)
    _create_collection_movie_genres()
    op.execute(_copy_stored_genres())
    op.drop_table("listed_movie_genres")
    op.drop_table("listed_movies")


def _field_type(name):
    return sa.Text() if name == "description" else sa.String(length=500)


def _copy_stored_fields():
    """Each collection's row gets the fields of the one stored movie it pointed to."""
    values = {
        name: sa.select(listed_movies.c[name])
        .where(listed_movies.c.uuid == collection_movies.c.movie_uuid)
        .scalar_subquery()
        for name in MOVIE_FIELDS
    }
    return collection_movies.update().values(**values)


def _copy_stored_genres():
    """Each (collection, movie) gets the split genres of the stored movie."""
    rows = sa.select(
        collection_movies.c.collection_id,
        collection_movies.c.movie_uuid,
        listed_movie_genres.c.genre,
    ).join(listed_movie_genres, listed_movie_genres.c.movie_uuid == collection_movies.c.movie_uuid)
    return collection_movie_genres.insert().from_select(
        ["collection_id", "movie_uuid", "genre"], rows
    )


def _create_collection_movie_genres():
    op.create_table(
        "collection_movie_genres",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("movie_uuid", sa.Uuid(), nullable=False),
        sa.Column("genre", GENRE, nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_id", "movie_uuid"],
            ["collection_movies.collection_id", "collection_movies.movie_uuid"],
            name=op.f("fk_collection_movie_genres_collection_id_collection_movies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "collection_id", "movie_uuid", "genre", name=op.f("pk_collection_movie_genres")
        ),
    )


def downgrade():
    _create_listed_movies()
    chosen = _one_copy_per_uuid()
    op.execute(
        listed_movies.insert().from_select(
            ["uuid", *MOVIE_FIELDS, "updated_at"],
            sa.select(
                chosen.c.movie_uuid, *(chosen.c[name] for name in MOVIE_FIELDS), chosen.c.updated_at
            ).where(chosen.c.rank == 1),
        )
    )
    genres = collection_movie_genres
    op.execute(
        listed_movie_genres.insert().from_select(
            ["movie_uuid", "genre"],
            sa.select(genres.c.movie_uuid, genres.c.genre).join(
                chosen,
                sa.and_(
                    chosen.c.collection_id == genres.c.collection_id,
                    chosen.c.movie_uuid == genres.c.movie_uuid,
                    chosen.c.rank == 1,
                ),
            ),
        )
    )
    op.drop_table("collection_movie_genres")
    with op.batch_alter_table("collection_movies", reflect_kwargs=REFLECT) as batch:
        batch.drop_constraint(op.f("ck_collection_movies_title_length"), type_="check")
        for name in MOVIE_FIELDS:
            batch.drop_column(name)
        batch.create_foreign_key(
            op.f("fk_collection_movies_movie_uuid_listed_movies"),
            "listed_movies",
            ["movie_uuid"],
            ["uuid"],
        )


def _one_copy_per_uuid():
    """Every collection movie ranked within its uuid: 1 is the most recently updated copy."""
    rank = sa.func.row_number().over(
        partition_by=collection_movies.c.movie_uuid,
        order_by=(collections.c.updated_at.desc(), collection_movies.c.collection_id),
    )
    return (
        sa.select(
            collection_movies.c.collection_id,
            collection_movies.c.movie_uuid,
            *(collection_movies.c[name] for name in MOVIE_FIELDS),
            collections.c.updated_at,
            rank.label("rank"),
        )
        .join(collections, collections.c.uuid == collection_movies.c.collection_id)
        .subquery("chosen")
    )


def _create_listed_movies():
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
