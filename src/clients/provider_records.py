"""Reading the price providers' records: strict about what a price needs, lenient elsewhere.

A record that cannot give an id, a title and a price is malformed: the caller skips it
and logs why. Prices are `Decimal` from the JSON text itself, never through `float`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

PROVIDER_PREFIXES = {"cinemaworld": "cw", "filmworld": "fw"}
MAX_PRICE = Decimal("99999999.99")  # NUMERIC(10,2)
CENTS = Decimal("0.01")
MAX_TITLE_LENGTH = 300
MAX_POSTER_LENGTH = 2000
# The provider's detail fields we pass on, under our snake_case names.
DETAIL_FIELDS = {
    "Rated": "rated",
    "Released": "released",
    "Runtime": "runtime",
    "Genre": "genre",
    "Director": "director",
    "Writer": "writer",
    "Actors": "actors",
    "Plot": "plot",
    "Language": "language",
    "Country": "country",
    "Awards": "awards",
    "Metascore": "metascore",
    "Rating": "rating",
    "Votes": "votes",
    "Type": "type",
}
_YEAR = re.compile(r"[0-9]{4}")


class MalformedRecord(ValueError):
    """A provider record without a usable id, title or price; the message says which."""


@dataclass(frozen=True)
class MovieSummary:
    """A movie as the provider's list names it (the list carries no price)."""

    provider: str
    provider_movie_id: str
    movie_id: str
    title: str


@dataclass(frozen=True)
class ProviderMovie:
    """A provider's full record of one movie, with its price."""

    provider: str
    provider_movie_id: str
    movie_id: str
    title: str
    year: int | None
    poster: str | None
    price: Decimal
    details: dict[str, str] = field(default_factory=dict)


def movie_number(provider: str, provider_movie_id: object) -> str:
    """The provider-neutral id: cw0076759 -> 0076759; MalformedRecord when not the shape."""
    prefix = PROVIDER_PREFIXES[provider]
    if not isinstance(provider_movie_id, str):
        raise MalformedRecord("ID is missing or not a string")
    match = re.fullmatch(rf"{prefix}([0-9]{{1,30}})", provider_movie_id)
    if match is None:
        raise MalformedRecord(f"ID is not {prefix} followed by digits")
    return match.group(1)


def read_summary(provider: str, raw: object) -> MovieSummary:
    """One entry of the provider's list."""
    if not isinstance(raw, dict):
        raise MalformedRecord("the entry is not an object")
    provider_movie_id = raw.get("ID")
    movie_id = movie_number(provider, provider_movie_id)
    return MovieSummary(provider, str(provider_movie_id), movie_id, _title(raw))


def read_movie(provider: str, raw: object) -> ProviderMovie:
    """One full record of the provider."""
    if not isinstance(raw, dict):
        raise MalformedRecord("the record is not an object")
    provider_movie_id = raw.get("ID")
    return ProviderMovie(
        provider=provider,
        provider_movie_id=str(provider_movie_id),
        movie_id=movie_number(provider, provider_movie_id),
        title=_title(raw),
        year=_year(raw.get("Year")),
        poster=_poster(raw.get("Poster")),
        price=read_price(raw.get("Price")),
        details=_details(raw),
    )


def read_price(value: object) -> Decimal:
    """A price string (or JSON number, already a Decimal) in whole cents, half up."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise MalformedRecord("Price is missing or not a decimal string")
    try:
        price = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise MalformedRecord("Price is not a decimal number") from None
    if not price.is_finite() or price < 0:
        raise MalformedRecord("Price is not a non-negative number")
    price = price.quantize(CENTS, rounding=ROUND_HALF_UP)
    if price > MAX_PRICE:
        raise MalformedRecord(f"Price is over {MAX_PRICE}")
    return price


def _title(raw: dict[str, Any]) -> str:
    title = raw.get("Title")
    if not isinstance(title, str) or not title.strip():
        raise MalformedRecord("Title is missing or empty")
    if len(title) > MAX_TITLE_LENGTH:
        raise MalformedRecord(f"Title is over {MAX_TITLE_LENGTH} characters")
    return title.strip()


def _year(value: object) -> int | None:
    """The release year when the record gives one ("2015", "2015-2019"), else None."""
    if isinstance(value, str) and (match := _YEAR.match(value.strip())):
        return int(match.group(0))
    return None


def _poster(value: object) -> str | None:
    """An http(s) image address; "N/A", empty and anything else mean no poster."""
    if not isinstance(value, str) or len(value) > MAX_POSTER_LENGTH:
        return None
    poster = value.strip()
    return poster if poster.startswith(("http://", "https://")) else None


def _details(raw: dict[str, Any]) -> dict[str, str]:
    return {
        name: value.strip()
        for key, name in DETAIL_FIELDS.items()
        if isinstance(value := raw.get(key), str) and value.strip() not in {"", "N/A"}
    }


def provider_record(provider: str, movie: dict[str, Any]) -> dict[str, str]:
    """A movie given in snake_case (title, year, price, id, poster, plot ...) as the
    provider's record: PascalCase names, every value a string, the id with its prefix."""
    record = {"Title": movie["title"], "Year": str(movie["year"]), "Price": f"{movie['price']:.2f}"}
    if movie.get("id"):
        record["ID"] = f"{PROVIDER_PREFIXES[provider]}{movie['id']}"
    if movie.get("poster"):
        record["Poster"] = movie["poster"]
    record_names = {name: key for key, name in DETAIL_FIELDS.items()}
    record.update({record_names[name]: v for name, v in movie.items() if name in record_names})
    return record
