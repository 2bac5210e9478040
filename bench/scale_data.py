"""A deterministic catalog file of N movies in the import's CSV columns, written as it goes."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from bench.catalog_data import FORMATS, GENRES, WORDS
from src.catalog.import_rows import COLUMNS

FIRST_NAMES = (
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kira", "Luca", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara",
)  # fmt: skip
SURNAMES = (
    "Andersen", "Bianchi", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes",
    "Ivanova", "Jensen", "Kowalski", "Lambert", "Moreau", "Nakamura", "Okafor", "Petrov",
    "Quinlan", "Rossi", "Silva", "Tanaka", "Varga", "Weber", "Yilmaz", "Zhang",
)  # fmt: skip


def write_catalog_file(path: Path, *, movies: int, seed: int = 16) -> None:
    """`movies` rows, the same for the same seed: external_id scale-N, 1-3 genres each."""
    generator = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(_row(generator, number) for number in range(movies))


def _row(generator: random.Random, number: int) -> tuple[object, ...]:
    title = " ".join(generator.sample(WORDS, generator.randint(1, 3)))
    director = f"{generator.choice(FIRST_NAMES)} {generator.choice(SURNAMES)}"
    expiry = date(2026, 1, 1) + timedelta(days=generator.randint(0, 1500))
    values = {
        "external_id": f"scale-{number}",
        "title": f"{title} {number}",
        "format": generator.choice(FORMATS),
        "length": generator.randint(70, 200),
        "release_year": generator.randint(1930, 2026),
        "rating": generator.randint(1, 5),
        "genres": "|".join(generator.sample(GENRES, generator.randint(1, 3))),
        "director": director,
        "description": f"{title}, a film by {director}.",
        "expiry_date": expiry.isoformat() if generator.random() < 0.7 else "",
        "imdb_score": round(generator.uniform(1, 10), 1),
        "popularity": round(generator.uniform(0, 100), 2),
    }
    return tuple(values[name] for name in COLUMNS)
