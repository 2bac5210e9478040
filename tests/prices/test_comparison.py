"""The comparison rules on their own: ties, merging, states, reading provider records."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from src.clients.provider_records import MalformedRecord, provider_record, read_movie, read_price
from src.pricing.comparison import priced_movies, provider_state
from src.pricing.models import ProviderOffer

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def offer(provider, movie_id, price, **fields):
    prefix = provider[0] + "w"
    return ProviderOffer(
        provider=provider,
        provider_movie_id=f"{prefix}{movie_id}",
        movie_id=movie_id,
        title=fields.get("title", "Film"),
        year=fields.get("year"),
        poster=fields.get("poster"),
        price=Decimal(price),
        details=fields.get("details", {}),
        fetched_at=NOW,
    )


def test_a_tie_goes_to_the_provider_first_by_name():
    for offers in (
        [offer("filmworld", "1", "9.99"), offer("cinemaworld", "1", "9.99")],
        [offer("cinemaworld", "1", "9.99"), offer("filmworld", "1", "9.99")],
    ):
        (movie,) = priced_movies(offers)
        assert movie.cheapest.provider == "cinemaworld"


def test_cheapest_compares_decimals_not_text():
    (movie,) = priced_movies(
        [offer("cinemaworld", "1", "100.00"), offer("filmworld", "1", "99.99")]
    )
    assert movie.cheapest.provider == "filmworld"
    assert [o.provider for o in movie.other_offers] == ["cinemaworld"]


def test_a_field_missing_at_one_provider_comes_from_the_other():
    (movie,) = priced_movies(
        [
            offer("cinemaworld", "1", "5", details={"plot": "cw plot"}),
            offer(
                "filmworld", "1", "5", year=2001, poster="https://p/x.jpg", details={"plot": "fw"}
            ),
        ]
    )
    assert (movie.year, movie.poster) == (2001, "https://p/x.jpg")
    assert movie.details["plot"] == "cw plot"  # the first provider by name wins


def test_movies_are_ordered_by_title():
    movies = priced_movies(
        [
            offer("cinemaworld", "2", "1", title="b film"),
            offer("filmworld", "1", "1", title="A film"),
        ]
    )
    assert [m.id for m in movies] == ["1", "2"]


@pytest.mark.parametrize(
    ("last_success_at", "expected"),
    [
        (None, "unavailable"),  # never fetched well: nothing of it is stored
        (NOW - timedelta(seconds=30), "ok"),
        (NOW - timedelta(seconds=60), "ok"),  # at most PRICE_MAX_AGE_S old
        (NOW - timedelta(seconds=61), "stale"),
    ],
)
def test_a_provider_is_ok_while_its_last_success_is_young_and_stale_after(
    last_success_at, expected
):
    assert provider_state(last_success_at, now=NOW, max_age_s=60).status == expected


@pytest.mark.parametrize(
    ("raw", "price"),
    [("123.5", "123.50"), ("123343.5", "123343.50"), (" 12.25 ", "12.25"), ("0.125", "0.13")],
)
def test_prices_are_read_as_decimals_in_cents(raw, price):
    assert read_price(raw) == Decimal(price)
    assert str(read_price(raw)) == price


@pytest.mark.parametrize("raw", [None, "", "ten", "-0.01", "Infinity", "NaN", True, "1e9"])
def test_unusable_prices_are_malformed(raw):
    with pytest.raises(MalformedRecord):
        read_price(raw)


def test_a_record_reads_into_a_dataclass_with_snake_case_details():
    movie = read_movie(
        "filmworld",
        {
            "ID": "fw0076759",
            "Title": "A New Hope",
            "Year": "1977",
            "Price": "29.5",
            "Poster": "N/A",
            "Director": "George Lucas",
            "Metascore": "N/A",
        },
    )
    assert (movie.movie_id, movie.year, movie.poster, movie.price) == (
        "0076759",
        1977,
        None,
        Decimal("29.50"),
    )
    assert movie.details == {"director": "George Lucas"}


def test_a_posted_movie_maps_to_the_provider_record_shape():
    movie = {"title": "Heat", "year": 1995, "price": Decimal("12.5"), "id": "42", "plot": "P"}
    assert provider_record("cinemaworld", movie) == {
        "Title": "Heat",
        "Year": "1995",
        "Price": "12.50",
        "ID": "cw42",
        "Plot": "P",
    }
