"""Users' collections, each holding its own copy of the movie list's movies it was given."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from src.columns import UtcDateTime, utcnow
from src.extensions import db

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
MOVIES_MAX = 1000
MOVIE_TITLE_MAX = 500
MOVIE_DESCRIPTION_MAX = 5000
GENRES_MAX = 500
# Byte order on every backend, so that ties between genres break the same way everywhere.
GENRE = String(GENRES_MAX).with_variant(String(GENRES_MAX, collation="C"), "postgresql")


class CollectionMovie(db.Model):  # type: ignore[name-defined]
    """A movie of the movie list as the collection's owner sent it, at its place in the list.

    Every collection has its own copy: the same uuid in another user's collection (or in
    another of the owner's) is another row, so no request changes what others sent.
    """

    __tablename__ = "collection_movies"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 1 AND {MOVIE_TITLE_MAX}", name="title_length"),
    )

    collection_id: Mapped[UUID] = mapped_column(
        Uuid, ForeignKey("collections.uuid", ondelete="CASCADE"), primary_key=True
    )
    # One row per uuid and collection: the same movie twice in one collection is refused.
    uuid: Mapped[UUID] = mapped_column("movie_uuid", Uuid, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(MOVIE_TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    genres: Mapped[str] = mapped_column(String(GENRES_MAX))


# Each collection movie's genres split, trimmed and without empties: favourite genres are
# a GROUP BY over this table, a row counting once per (collection, movie).
collection_movie_genres = Table(
    "collection_movie_genres",
    db.metadata,
    Column("collection_id", Uuid, primary_key=True),
    Column("movie_uuid", Uuid, primary_key=True),
    Column("genre", GENRE, primary_key=True),
    ForeignKeyConstraint(
        ["collection_id", "movie_uuid"],
        ["collection_movies.collection_id", "collection_movies.movie_uuid"],
        ondelete="CASCADE",
    ),
)


class Collection(db.Model):  # type: ignore[name-defined]
    """A user's named collection of movies from the movie list."""

    __tablename__ = "collections"
    __table_args__ = (
        CheckConstraint(f"length(trim(title)) BETWEEN 1 AND {TITLE_MAX}", name="title_length"),
        CheckConstraint(f"length(description) <= {DESCRIPTION_MAX}", name="description_length"),
    )

    uuid: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=uuid4)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    # Written through the repository (one INSERT for the whole list), read here in order.
    movies: Mapped[list[CollectionMovie]] = relationship(
        order_by=CollectionMovie.position, viewonly=True
    )
