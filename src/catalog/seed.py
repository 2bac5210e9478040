"""Demo movies for the catalog, derived from the price providers' sample records.

The provider records do not carry every catalog field, so some values are derived:
- format: "Streaming" for every record (the providers sell online copies);
- length: the minutes in "Runtime" ("121 min" -> 121);
- rating: the IMDb "Rating" (0-10) halved and rounded, kept within 1-5;
- imdb_score: "Rating" as a number; popularity: left empty (no source);
- expiry_date: 1 January, 50 years after the release year (a demo value, so that the
  expired-range search has something to find).
A film sold by both providers is loaded once; a movie already in the catalog with the
same title and year is left alone, so seeding twice changes nothing.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from src.catalog import repository, service

DATA_DIR = Path(__file__).with_name("demo_data")
log = logging.getLogger(__name__)


def _rating(imdb_rating: str) -> int:
    halved = (Decimal(imdb_rating) / 2).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(5, max(1, int(halved)))


def movie_fields(record: dict[str, str]) -> dict[str, Any]:
    """The catalog fields of one provider record."""
    year = int(record["Year"])
    return {
        "title": record["Title"][:50],
        "format": "Streaming",
        "length": int(record["Runtime"].split()[0]),
        "release_year": year,
        "rating": _rating(record["Rating"]),
        "genres": [name.strip() for name in record.get("Genre", "").split(",") if name.strip()],
        "director": record.get("Director") or None,
        "description": record.get("Plot") or None,
        "imdb_score": float(record["Rating"]),
        "expiry_date": date(year + 50, 1, 1),
    }


def demo_records() -> list[dict[str, str]]:
    """Every provider record, one per film (the first provider's wins)."""
    by_film: dict[str, dict[str, str]] = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        for record in json.loads(path.read_text(encoding="utf-8"))["movies"]:
            by_film.setdefault(record["ID"][2:], record)
    return list(by_film.values())


def seed_catalog() -> int:
    """Load the demo movies not yet in the catalog; returns how many were added."""
    added = 0
    for record in demo_records():
        try:
            fields = movie_fields(record)
        except (KeyError, ValueError, ArithmeticError):
            log.warning("skipping a demo record that cannot be read: %s", record.get("ID"))
            continue
        existing = repository.find_by_title_and_year(
            title=fields["title"], release_year=fields["release_year"]
        )
        if existing is None:
            service.create_movie(**fields)
            added += 1
    return added
