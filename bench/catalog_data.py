"""A catalog of N generated movies with genres, bulk-loaded into Postgres with COPY."""

from __future__ import annotations

import csv
import io
import random
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, text

GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "History", "Horror", "Music", "Mystery", "Romance", "Science Fiction",
    "Thriller", "War", "Western",
)  # fmt: skip
WORDS = (
    "Silent", "Red", "Last", "Hidden", "Golden", "Broken", "Night", "River", "Storm", "City",
    "Garden", "Shadow", "Winter", "Empire", "Dream", "Harbor", "Echo", "Stranger", "Light",
    "Mountain", "Letter", "Island", "Machine", "Summer", "Crown", "Road", "Glass", "Wolf",
)  # fmt: skip
FORMATS = ("VHS", "DVD", "Streaming")
MOVIE_COLUMNS = (
    "id", "title", "format", "length", "release_year", "rating", "director", "description",
    "expiry_date", "imdb_score", "popularity", "created_at", "updated_at",
)  # fmt: skip


def load_catalog(engine: Engine, *, movies: int, seed: int = 9) -> None:
    """Replace the catalog with `movies` generated movies, 1-3 genres each, then VACUUM ANALYZE."""
    generator = random.Random(seed)
    rows = [_movie(generator, number) for number in range(movies)]
    links = [
        (row[0], genre_id)
        for row in rows
        for genre_id in generator.sample(range(1, len(GENRES) + 1), generator.randint(1, 3))
    ]
    connection = engine.raw_connection()
    try:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE movie_genres, movies, genres RESTART IDENTITY CASCADE")
            _copy(cursor, "genres (id, name)", enumerate(GENRES, start=1))
            _copy(cursor, f"movies ({', '.join(MOVIE_COLUMNS)})", rows)
            _copy(cursor, "movie_genres (movie_id, genre_id)", links)
            cursor.execute("SELECT setval('genres_id_seq', (SELECT max(id) FROM genres))")
        connection.commit()
    finally:
        connection.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))


def _copy(cursor: object, table: str, rows: Iterable[Sequence[object]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv)", buffer)  # type: ignore[attr-defined]


def _movie(generator: random.Random, number: int) -> tuple[object, ...]:
    title = " ".join(generator.sample(WORDS, generator.randint(1, 3)))
    created = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=number)
    expiry = date(2026, 1, 1) + timedelta(days=generator.randint(0, 1500))
    return (
        uuid.UUID(int=generator.getrandbits(128), version=4),
        f"{title} {number}",
        generator.choice(FORMATS),
        generator.randint(70, 200),
        generator.randint(1930, 2026),
        generator.randint(1, 5),
        f"Director {generator.randint(1, 800)}",
        f"A generated movie, number {number}, for the benchmarks.",
        expiry if generator.random() < 0.7 else "",
        round(generator.uniform(1, 10), 1),
        round(generator.uniform(0, 100), 2),
        created.isoformat(),
        created.isoformat(),
    )
