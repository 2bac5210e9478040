"""The price history chart's geometry (src/pricing/chart.py): points in, coordinates out."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from src.pricing.chart import (
    BOTTOM,
    LEFT,
    RIGHT,
    TOP,
    PricePoint,
    Series,
    day_label,
    lowest_point,
    price_chart,
    price_scale,
)

LAST_DAY = date(2026, 12, 1)
FIRST_DAY = LAST_DAY - timedelta(days=29)


def days_ago(n):
    return LAST_DAY - timedelta(days=n)


def series(provider, *points):
    return Series(provider, [PricePoint(day, Decimal(price)) for day, price in points])


def test_no_point_is_no_chart():
    assert price_chart([series("cinemaworld")], last_day=LAST_DAY) is None


def test_one_point_is_a_marker_without_a_line():
    chart = price_chart([series("cinemaworld", (days_ago(3), "12.50"))], last_day=LAST_DAY)
    (plotted,) = chart.series
    assert plotted.lines == []
    (marker,) = plotted.markers
    assert marker.point == PricePoint(days_ago(3), Decimal("12.50"))
    assert LEFT < marker.x < RIGHT
    assert TOP < marker.y < BOTTOM  # a single price sits inside the axis, not on its edge


def test_flat_prices_are_a_level_line_between_two_labelled_steps():
    points = [(days_ago(n), "10.00") for n in range(5)]
    chart = price_chart([series("filmworld", *points)], last_day=LAST_DAY)
    (plotted,) = chart.series
    assert len({marker.y for marker in plotted.markers}) == 1
    assert [tick.label for tick in chart.y_ticks] == ["9.50", "10.00", "10.50"]
    assert TOP < plotted.markers[0].y < BOTTOM


def test_a_missing_day_breaks_the_line():
    points = [(days_ago(9), "9.00"), (days_ago(8), "9.50"), (days_ago(5), "9.00")]
    points += [(days_ago(4), "8.00"), (days_ago(3), "8.50"), (days_ago(1), "7.00")]
    chart = price_chart([series("cinemaworld", *points)], last_day=LAST_DAY)
    (plotted,) = chart.series
    assert [len(line.split()) for line in plotted.lines] == [2, 3]  # the lone last day: a marker
    assert len(plotted.markers) == 6


def test_two_providers_share_the_axes_and_keep_their_places():
    chart = price_chart(
        [
            series("cinemaworld"),  # nothing in the window: no line, no legend
            series("filmworld", (days_ago(2), "20.00"), (days_ago(1), "40.00")),
            series("moviehouse", (days_ago(2), "30.00"), (days_ago(1), "30.00")),
        ],
        last_day=LAST_DAY,
    )
    assert [(s.provider, s.index) for s in chart.series] == [("filmworld", 1), ("moviehouse", 2)]
    film, house = chart.series
    assert film.markers[0].x == house.markers[0].x
    # 40 high, 20 low, 30 between them, on one price axis.
    assert film.markers[1].y < house.markers[0].y < film.markers[0].y
    assert film.legend_x != house.legend_x


def test_the_window_holds_its_first_and_last_day_and_nothing_outside():
    points = [(days_ago(30), "1.00"), (FIRST_DAY, "5.00"), (LAST_DAY, "6.00")]
    points.append((LAST_DAY + timedelta(days=1), "1.00"))
    chart = price_chart([series("cinemaworld", *points)], last_day=LAST_DAY)
    (plotted,) = chart.series
    assert [m.point.day for m in plotted.markers] == [FIRST_DAY, LAST_DAY]
    assert [m.x for m in plotted.markers] == [LEFT, RIGHT]
    assert chart.first_day == FIRST_DAY
    assert chart.x_ticks[-1].label == day_label(LAST_DAY) == "1 Dec"
    assert chart.x_ticks[-1].position == RIGHT


def test_decimal_prices_label_the_axis_exactly_in_cents():
    chart = price_chart(
        [series("cinemaworld", (days_ago(1), "0.10"), (LAST_DAY, "0.30"))], last_day=LAST_DAY
    )
    labels = [tick.label for tick in chart.y_ticks]
    assert labels == ["0.10", "0.15", "0.20", "0.25", "0.30"]
    low, high = chart.series[0].markers
    assert (low.y, high.y) == (BOTTOM, TOP)


def test_a_day_given_twice_keeps_its_lowest_price():
    chart = price_chart(
        [series("cinemaworld", (LAST_DAY, "9.99"), (LAST_DAY, "7.25"))], last_day=LAST_DAY
    )
    assert [m.point.price for m in chart.series[0].markers] == [Decimal("7.25")]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        ("29.50", "123.50", ("0", "150", "50")),
        ("10.00", "10.00", ("9.5", "10.5", "0.5")),
        ("0.00", "0.00", ("0", "0.5", "0.5")),
        ("1.01", "1.02", ("1.01", "1.02", "0.01")),
    ],
)
def test_the_price_axis_is_round_steps_around_the_prices(low, high, expected):
    bottom, top, step = price_scale(Decimal(low), Decimal(high))
    assert (bottom, top, step) == tuple(Decimal(value) for value in expected)


def test_the_lowest_point_is_the_most_recent_of_equal_lows():
    found = lowest_point(
        [
            series("cinemaworld", (days_ago(9), "8.00"), (days_ago(2), "9.00")),
            series("filmworld", (days_ago(4), "8.00"), (days_ago(1), "12.00")),
        ]
    )
    assert found == ("filmworld", PricePoint(days_ago(4), Decimal("8.00")))
    assert lowest_point([series("cinemaworld")]) is None
