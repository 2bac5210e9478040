"""The price history a customer sees on a movie's page: each provider's lowest price of each
day (UTC) over the last 30 days, as a chart, and the lowest of them all. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from src.pricing import repository
from src.pricing.chart import Chart, PricePoint, Series, lowest_point, price_chart

HISTORY_DAYS = 30


@dataclass(frozen=True)
class PriceHistory:
    """What the movie page shows of the history; chart and lowest are None without any."""

    first_day: date
    last_day: date
    series: list[Series]
    chart: Chart | None
    lowest: tuple[str, PricePoint] | None

    @property
    def charted(self) -> list[Series]:
        """The providers with a price in the window."""
        return [series for series in self.series if series.points]

    @property
    def table(self) -> list[tuple[date, list[Decimal | None]]]:
        """The chart as rows: each day with a price, and each charted provider's (or None)."""
        charted = self.charted
        by_day: dict[date, list[Decimal | None]] = {}
        for column, series in enumerate(charted):
            for point in series.points:
                by_day.setdefault(point.day, [None] * len(charted))[column] = point.price
        return sorted(by_day.items())


DailyLow = tuple[str, date, Decimal]  # provider, UTC day, the lowest price seen that day


def daily_lows(*, movie_id: str, today: date) -> list[DailyLow]:
    """The movie's daily lows at each provider over the HISTORY_DAYS days up to today (one
    statement, the costliest of the movie page: src/pricing/reads.py keeps them)."""
    since = datetime.combine(_first_day(today), time(), tzinfo=UTC)
    until = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    return repository.daily_lowest_prices(movie_id=movie_id, since=since, until=until)


def price_history(
    *, lows: Sequence[DailyLow], providers: Sequence[str], today: date
) -> PriceHistory:
    """The history over the HISTORY_DAYS days up to today from its daily lows, one series per
    provider (the providers given first, in their order, so that each keeps its colour)."""
    points: dict[str, list[PricePoint]] = {provider: [] for provider in providers}
    for provider, day, price in lows:
        points.setdefault(provider, []).append(PricePoint(day, price))
    series = [Series(provider, found) for provider, found in points.items()]
    return PriceHistory(
        first_day=_first_day(today),
        last_day=today,
        series=series,
        chart=price_chart(series, last_day=today, days=HISTORY_DAYS),
        lowest=lowest_point(series),
    )


def _first_day(today: date) -> date:
    return today - timedelta(days=HISTORY_DAYS - 1)
