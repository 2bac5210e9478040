"""Test data for exports: price history rows inserted in bulk, and CSV parsing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from src.pricing.models import PriceObservation


def observation(
    movie_id: str,
    provider: str,
    price: str,
    observed_at: datetime,
    *,
    title: str = "Star Wars",
    year: int | None = 1977,
) -> dict[str, Any]:
    prefix = "cw" if provider == "cinemaworld" else "fw"
    return {
        "provider": provider,
        "provider_movie_id": f"{prefix}{movie_id}",
        "movie_id": movie_id,
        "title": title,
        "year": year,
        "price": Decimal(price),
        "observed_at": observed_at,
    }


def insert_observations(connection: Any, rows: Iterable[dict[str, Any]]) -> None:
    """One executemany of price_history rows (connection: a session or a Connection)."""
    connection.execute(insert(PriceObservation.__table__), list(rows))


def sample_history(now: datetime) -> list[dict[str, Any]]:
    """Two movies at two providers inside the last 24 hours, plus rows outside the window."""
    hour = timedelta(hours=1)
    return [
        observation("0076759", "cinemaworld", "123.50", now - 20 * hour),
        observation("0076759", "cinemaworld", "99.99", now - 10 * hour),
        observation("0076759", "cinemaworld", "110.00", now - 2 * hour),
        observation("0076759", "filmworld", "29.50", now - 3 * hour),
        observation("0080684", "filmworld", "13.50", now - 5 * hour, title='=HYPERLINK("x")'),
        observation("0080684", "filmworld", "14.00", now - 30 * hour, title="old"),  # before
        observation("0086190", "cinemaworld", "5.00", now - 48 * hour, title="older"),  # before
    ]


# What sample_history exports for the last 24 hours, without the last_seen_at column.
SAMPLE_EXPORT = [
    ["0076759", "Star Wars", "1977", "cinemaworld", "cw0076759", "110.00", "99.99", "123.50"],
    ["0076759", "Star Wars", "1977", "filmworld", "fw0076759", "29.50", "29.50", "29.50"],
    ["0080684", '\'=HYPERLINK("x")', "1977", "filmworld", "fw0080684", "13.50", "13.50", "13.50"],
]


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))
