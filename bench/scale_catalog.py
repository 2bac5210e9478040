"""A generated catalog of a million movies, written to a CSV file and loaded with COPY.

For the query half of the scale benchmark (bench/scale_queries.py) when the import command
is not the thing measured. Titles and directors are made of pseudo-words from a large
vocabulary, so a word of `q` matches tens of titles (as real titles do), not a tenth of
the catalog as a short fixed word list would.
"""

from __future__ import annotations

import csv
import random
import tempfile
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.catalog_data import FORMATS, GENRES, MOVIE_COLUMNS
from config import database_url as driver_url

_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr gr sh st tr".split()
_VOWELS = "a e i o u ai ea ou".split()


def vocabulary(generator: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        syllables = generator.randint(2, 3)
        word = "".join(
            generator.choice(_ONSETS) + generator.choice(_VOWELS) for _ in range(syllables)
        )
        words.add(word.capitalize())
    return sorted(words)


def write_csv(path: Path, *, movies: int, seed: int = 16) -> Path:
    """movies rows (MOVIE_COLUMNS) and, beside it, path.genres.csv (movie_id, genre_id)."""
    generator = random.Random(seed)
    words = vocabulary(generator, 40_000)
    names = vocabulary(generator, 6_000)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    with path.open("w", newline="") as rows, path.with_suffix(".genres.csv").open("w") as links:
        movie_out, link_out = csv.writer(rows), csv.writer(links)
        for number in range(movies):
            movie_id = uuid.UUID(int=generator.getrandbits(128), version=4)
            title = " ".join(generator.choices(words, k=generator.randint(1, 3)))
            created = (start + timedelta(seconds=number * 7)).isoformat()
            expiry = date(2026, 1, 1) + timedelta(days=generator.randint(0, 3650))
            movie_out.writerow(
                (
                    movie_id,
                    title[:50],
                    generator.choice(FORMATS),
                    generator.randint(60, 240),
                    generator.randint(1920, 2026),
                    generator.randint(1, 5),
                    f"{generator.choice(names)} {generator.choice(names)}"
                    if generator.random() < 0.9
                    else "",
                    "",
                    expiry if generator.random() < 0.7 else "",
                    round(generator.uniform(1, 10), 1) if generator.random() < 0.8 else "",
                    round(generator.uniform(0, 100), 2),
                    created,
                    created,
                )
            )
            for genre in generator.sample(range(1, len(GENRES) + 1), generator.randint(1, 3)):
                link_out.writerow((movie_id, genre))
    return path


def load(database_url: str, *, movies: int = 1_000_000) -> None:
    """Replace the catalog of a migrated database with `movies` generated ones (COPY)."""
    engine = create_engine(driver_url(database_url))
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / "movies.csv", movies=movies)
        connection = engine.raw_connection()
        try:
            with connection.cursor() as cursor:
                cursor.execute("TRUNCATE movie_genres, movies, genres RESTART IDENTITY CASCADE")
                for number, name in enumerate(GENRES, start=1):
                    cursor.execute("INSERT INTO genres (id, name) VALUES (%s, %s)", (number, name))
                cursor.execute("SELECT setval('genres_id_seq', (SELECT max(id) FROM genres))")
                _copy(cursor, f"movies ({', '.join(MOVIE_COLUMNS)})", path)
                _copy(cursor, "movie_genres (movie_id, genre_id)", path.with_suffix(".genres.csv"))
            connection.commit()
        finally:
            connection.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE movies"))
        autocommit.execute(text("VACUUM ANALYZE movie_genres"))
        autocommit.execute(text("VACUUM ANALYZE genres"))
    engine.dispose()


def _copy(cursor: object, table: str, path: Path) -> None:
    with path.open() as source:
        sql = f"COPY {table} FROM STDIN WITH (FORMAT csv)"
        cursor.copy_expert(sql, source)  # type: ignore[attr-defined]


if __name__ == "__main__":
    import sys

    load(sys.argv[1], movies=int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000)
