from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from src.columns import UtcDateTime, utcnow
from src.extensions import db

FORMATS = ("VHS", "DVD", "Streaming")
TITLE_MAX = 50
LENGTH_RANGE = (0, 500)
YEAR_RANGE = (1800, 2100)
RATING_RANGE = (1, 5)
IMDB_SCORE_RANGE = (0, 10)
POPULARITY_RANGE = (0, 100)
GENRE_NAME_MAX = 50
DIRECTOR_MAX = 100
DESCRIPTION_MAX = 2000
SORTED_BY_INDEX = (
    "format",
    "length",
    "release_year",
    "rating",
    "director",
    "expiry_date",
    "imdb_score",
    "popularity",
    "created_at",
    "updated_at",
)
EXTERNAL_ID_MAX = 100

movie_genres = Table(
    "movie_genres",
    db.metadata,
    Column("movie_id", Uuid, ForeignKey("movies.id", ondelete="CASCADE"), primary_key=True),
    Column("genre_id", Integer, ForeignKey("genres.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_movie_genres_genre_id", "genre_id"),
)


class Genre(db.Model):  # type: ignore[name-defined]
    __tablename__ = "genres"
    __table_args__ = (
        CheckConstraint(f"length(trim(name)) BETWEEN 1 AND {GENRE_NAME_MAX}", name="name_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(GENRE_NAME_MAX))


# Genres are unique whatever their case: "drama" and "Drama" are one genre.
Index("uq_genres_name_lower", func.lower(Genre.name), unique=True)


class Movie(db.Model):  # type: ignore[name-defined]
    __tablename__ = "movies"
    __table_args__ = (
        CheckConstraint(f"length(trim(title)) BETWEEN 1 AND {TITLE_MAX}", name="title_length"),
        CheckConstraint(
            "format IN ({})".format(", ".join(f"'{name}'" for name in FORMATS)),
            name="format_known",
        ),
        CheckConstraint("length BETWEEN {} AND {}".format(*LENGTH_RANGE), name="length_range"),
        CheckConstraint(
            "release_year BETWEEN {} AND {}".format(*YEAR_RANGE), name="release_year_range"
        ),
        CheckConstraint("rating BETWEEN {} AND {}".format(*RATING_RANGE), name="rating_range"),
        CheckConstraint(
            "imdb_score IS NULL OR imdb_score BETWEEN {} AND {}".format(*IMDB_SCORE_RANGE),
            name="imdb_score_range",
        ),
        CheckConstraint(
            "popularity IS NULL OR popularity BETWEEN {} AND {}".format(*POPULARITY_RANGE),
            name="popularity_range",
        ),
        # Every sort and its cursor walk a (column, id) index (migration 0015).
        Index("ix_movies_title_id", "title", "id"),
        *(Index(f"ix_movies_{column}_id", column, "id") for column in SORTED_BY_INDEX),
        Index("ix_movies_format_year_title", "format", "release_year", "title", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    format: Mapped[str] = mapped_column(String(16))  # noqa: A003
    length: Mapped[int] = mapped_column(Integer)
    release_year: Mapped[int] = mapped_column(Integer)
    rating: Mapped[int] = mapped_column(Integer)
    director: Mapped[str | None] = mapped_column(String(DIRECTOR_MAX))
    description: Mapped[str | None] = mapped_column(Text)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    imdb_score: Mapped[float | None] = mapped_column(Float)
    popularity: Mapped[float | None] = mapped_column(Float)
    # The movie's key in the files it was imported from (flask catalog import); unique when set.
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    genres: Mapped[list[Genre]] = relationship(
        secondary=movie_genres, lazy="selectin", order_by=Genre.name
    )


# Case-insensitive exact filters on title and director use these; on Postgres `q` uses the
# trigram GIN indexes ix_movies_title_trgm and ix_movies_director_trgm (migration 0015).
Index("ix_movies_title_lower", func.lower(Movie.title))
Index("ix_movies_director_lower", func.lower(Movie.director))
Index(
    "uq_movies_external_id",
    Movie.external_id,
    unique=True,
    postgresql_where=Movie.external_id.isnot(None),
    sqlite_where=Movie.external_id.isnot(None),
)

# Postgres only (migration 0017, kept in step by triggers on `movies`): every distinct word of
# the titles and directors (lower case, letters and digits with a letter) with how many
# movies have each, and which movies
# have each, with their titles. A one-word `q` finds its near spellings among the words, then
# their movies by one primary-key range a word, in title order, instead of rechecking every
# movie that shares trigrams.
catalog_words = Table(
    "catalog_words",
    db.metadata,
    Column("word", Text, primary_key=True),
    Column("movies", Integer, nullable=False),
)
movie_words = Table(
    "movie_words",
    db.metadata,
    Column("word", Text, primary_key=True),
    Column("title", String(TITLE_MAX), primary_key=True),
    Column("movie_id", Uuid, primary_key=True),
)

# Postgres only (migration 0018, kept in step by triggers on `movie_genres` and `movies`): how
# many movies each genre has for each format and release year, so a count filtered by genre
# (and format, year) sums a few rows instead of probing a link a movie.
catalog_genre_counts = Table(
    "catalog_genre_counts",
    db.metadata,
    Column("genre_id", Integer, primary_key=True),
    Column("format", String(16), primary_key=True),
    Column("release_year", Integer, primary_key=True),
    Column("movies", Integer, nullable=False),
)
