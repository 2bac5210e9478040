"""The price history chart as geometry: each provider's daily lowest prices in, the
coordinates, axis ticks and lines of an SVG drawing out. No I/O, no templates: the movie
page's template draws what this computes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

WIDTH, HEIGHT = 640, 320
# The plot area inside the drawing: room on the left for price labels, above for the axis
# title, on the right for the last date's label, below for the dates and the legend.
LEFT, RIGHT, TOP, BOTTOM = 72, 600, 36, 256
X_LABEL_Y = BOTTOM + 20
LEGEND_Y = BOTTOM + 50
LEGEND_SPACING = 160
Y_TICKS = 4
CENT = Decimal("0.01")
XScale = Callable[[date], float]
YScale = Callable[[Decimal], float]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PricePoint:
    """A provider's lowest price on one day."""

    day: date
    price: Decimal


@dataclass(frozen=True)
class Series:
    """One provider's points (any order, any days: the chart keeps those in its window)."""

    provider: str
    points: Sequence[PricePoint]


@dataclass(frozen=True)
class Tick:
    position: float  # x for a date, y for a price
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    point: PricePoint


@dataclass(frozen=True)
class PlottedSeries:
    """A provider's line: one polyline a run of consecutive days (a missing day breaks it),
    and a marker on every point, so that a lone day shows too."""

    provider: str
    index: int  # its place among the providers given: the stylesheet's series-N colour
    lines: list[str]  # SVG polyline points, "x,y x,y ..."
    markers: list[Marker]
    legend_x: int

    @property
    def lowest(self) -> PricePoint:
        return min((m.point for m in self.markers), key=lambda p: (p.price, -p.day.toordinal()))

    @property
    def latest(self) -> PricePoint:
        return self.markers[-1].point


@dataclass(frozen=True)
class Chart:
    first_day: date
    last_day: date
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    series: list[PlottedSeries]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM
    x_label_y: int = X_LABEL_Y
    legend_y: int = LEGEND_Y


def price_chart(series: Sequence[Series], *, last_day: date, days: int = 30) -> Chart | None:
    """The chart of the `days` days up to last_day (both included); None when no point
    falls in them."""
    if days < 2:
        raise ValueError("a chart spans at least two days")
    first_day = last_day - timedelta(days=days - 1)
    kept = [
        (index, s.provider, _daily(s.points, first_day, last_day)) for index, s in enumerate(series)
    ]
    kept = [entry for entry in kept if entry[2]]
    if not kept:
        return None
    prices = [point.price for _, _, points in kept for point in points]
    low, high, step = price_scale(min(prices), max(prices))
    x = _x_scale(first_day, days)
    y = _y_scale(low, high)
    plotted = [
        _plotted(index, provider, points, x, y, legend_x=LEFT + slot * LEGEND_SPACING)
        for slot, (index, provider, points) in enumerate(kept)
    ]
    return Chart(
        first_day=first_day,
        last_day=last_day,
        x_ticks=[Tick(x(day), day_label(day)) for day in _tick_days(first_day, last_day)],
        y_ticks=[Tick(y(price), f"{price:.2f}") for price in _steps(low, high, step)],
        series=plotted,
    )


def lowest_point(series: Sequence[Series]) -> tuple[str, PricePoint] | None:
    """The lowest price of all, with its provider: on a tie the most recent day, then the
    provider first by name."""
    candidates = [(s.provider, p) for s in series for p in s.points]
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[1].price, -c[1].day.toordinal(), c[0]))


def price_scale(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """(bottom, top, step) of the price axis: round steps of 1, 2 or 5 times a power of ten
    (never under a cent) that enclose low..high; a flat line sits between two steps. Never
    below zero for prices that are not."""
    span = high - low or max(abs(high) / 5, Decimal(1))
    step = _round_step(span / Y_TICKS)
    bottom = (low / step).to_integral_value(ROUND_FLOOR) * step
    top = (high / step).to_integral_value(ROUND_CEILING) * step
    if bottom == top:
        bottom, top = bottom - step, top + step
    if low >= 0:
        bottom = max(bottom, Decimal(0))
    return bottom, top, step


def day_label(day: date) -> str:
    """'3 Nov', the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def _round_step(raw: Decimal) -> Decimal:
    power = Decimal(1).scaleb(raw.adjusted())
    step = next(power * factor for factor in (1, 2, 5, 10) if power * factor >= raw)
    return max(step, CENT)


def _steps(low: Decimal, high: Decimal, step: Decimal) -> list[Decimal]:
    count = int((high - low) / step)
    return [low + step * n for n in range(count + 1)]


def _daily(points: Sequence[PricePoint], first: date, last: date) -> list[PricePoint]:
    """The window's points in day order, the lowest where a day is given twice."""
    lows: dict[date, Decimal] = {}
    for point in points:
        if first <= point.day <= last and (point.day not in lows or point.price < lows[point.day]):
            lows[point.day] = point.price
    return [PricePoint(day, lows[day]) for day in sorted(lows)]


def _x_scale(first_day: date, days: int) -> XScale:
    def x(day: date) -> float:
        return round(LEFT + (day - first_day).days * (RIGHT - LEFT) / (days - 1), 1)

    return x


def _y_scale(low: Decimal, high: Decimal) -> YScale:
    def y(price: Decimal) -> float:
        return round(BOTTOM - float((price - low) / (high - low)) * (BOTTOM - TOP), 1)

    return y


def _tick_days(first_day: date, last_day: date) -> list[date]:
    """Every seventh day back from the last one."""
    count = (last_day - first_day).days // 7
    return [last_day - timedelta(days=7 * n) for n in range(count, -1, -1)]


def _plotted(
    index: int, provider: str, points: list[PricePoint], x: XScale, y: YScale, *, legend_x: int
) -> PlottedSeries:
    markers = [Marker(x(p.day), y(p.price), p) for p in points]
    runs: list[list[Marker]] = []
    for marker in markers:
        if not runs or marker.point.day - runs[-1][-1].point.day != timedelta(days=1):
            runs.append([])
        runs[-1].append(marker)
    lines = [" ".join(f"{m.x},{m.y}" for m in run) for run in runs if len(run) > 1]
    return PlottedSeries(provider, index, lines, markers, legend_x)
