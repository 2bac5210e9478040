"""Users' collections, and the movie list's movies they hold, stored once by uuid."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, Uuid
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


class ListedMovie(db.Model):  # type: ignore[name-defined]
    """A movie of the movie list, as a user last added it to a collection."""

    __tablename__ = "listed_movies"
    __table_args__ = (
        CheckConstraint(f"length(title) BETWEEN 1 AND {MOVIE_TITLE_MAX}", name="title_length"),
    )

    uuid: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    title: Mapped[str] = mapped_column(String(MOVIE_TITLE_MAX))
    description: Mapped[str] = mapped_column(Text)
    genres: Mapped[str] = mapped_column(String(GENRES_MAX))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


# Each stored movie's genres split, trimmed and without empties: favourite genres
# are a GROUP BY over this table.
listed_movie_genres = Table(
    "listed_movie_genres",
    db.metadata,
    Column(
        "movie_uuid",
        Uuid,
        ForeignKey("listed_movies.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("genre", GENRE, primary_key=True),
)

# Which movies a collection holds, in the order the user gave them.
collection_movies = Table(
    "collection_movies",
    db.metadata,
    Column(
        "collection_id",
        Uuid,
        ForeignKey("collections.uuid", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("movie_uuid", Uuid, ForeignKey("listed_movies.uuid"), primary_key=True),
    Column("position", Integer, nullable=False),
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
    movies: Mapped[list[ListedMovie]] = relationship(
        secondary=collection_movies, order_by=collection_movies.c.position, viewonly=True
    )
