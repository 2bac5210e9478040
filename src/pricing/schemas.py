"""Price comparison payloads; prices are decimal strings with two places."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from src.clients.provider_records import MAX_PRICE, MAX_TITLE_LENGTH
from src.fields import FullMatch, TrimmedString

PRICE_PATTERN = r"^\s*[0-9]{1,8}(\.[0-9]{1,2})?\s*$"
# For the spec: http(s) URLs whose host has a top-level domain, all of which fields.Url
# accepts (it also takes IP hosts, localhost and non-ASCII letters).
POSTER_URL_PATTERN = (
    r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,6}(?::[0-9]{1,5})?(?:/|[/?#][!-~]+)?(?![\s\S])"
)

STATUSES = ("ok", "stale", "unavailable")
DETAIL_MAX = 2000


def _price() -> fields.Decimal:
    return fields.Decimal(required=True, places=2, as_string=True)


def _detail() -> TrimmedString:
    return TrimmedString(validate=validate.Length(min=1, max=DETAIL_MAX))


class PriceString(fields.Decimal):
    """A price as a decimal string ("12.50"), 0 to MAX_PRICE with at most two decimal places:
    JSON numbers are refused, as they would pass through float. The spec shows it as a
    string with a pattern (registered in create_app)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": PRICE_PATTERN, "example": "12.50", **kwargs.pop("metadata", {})}
        super().__init__(allow_nan=False, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, str):
            raise ValidationError('Send the price as a decimal string, e.g. "12.50".')
        price = super()._deserialize(value.strip(), attr, data, **kwargs)
        exponent = price.normalize().as_tuple().exponent  # a str for NaN and infinities
        if isinstance(exponent, int) and exponent < -2:
            raise ValidationError("A price has at most two decimal places.")
        if not Decimal(0) <= price <= MAX_PRICE:
            raise ValidationError(f"A price is between 0 and {MAX_PRICE}.")
        if re.fullmatch(PRICE_PATTERN, value) is None:  # "1e1", other scripts' digits
            raise ValidationError('Write the price with the digits 0-9, e.g. "12.50".')
        return price


class OfferSchema(Schema):
    provider = fields.String(required=True)
    provider_movie_id = fields.String(required=True, metadata={"example": "cw0076759"})
    price = _price()


class CheapestSchema(Schema):
    provider = fields.String(required=True)
    price = _price()


class PricedMovieSchema(Schema):
    """A movie with every offer, cheapest first (ties broken by provider name)."""

    id = fields.String(  # noqa: A003
        required=True, metadata={"description": "provider-neutral number", "example": "0076759"}
    )
    title = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    poster = fields.String(allow_none=True, metadata={"description": "http(s) image or null"})
    offers = fields.List(fields.Nested(OfferSchema), required=True)
    cheapest = fields.Nested(CheapestSchema, required=True)


class ProviderStateSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    fetched_at = fields.DateTime(
        allow_none=True, metadata={"description": "last good fetch (UTC); null if never"}
    )


def _provider_states() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(), values=fields.Nested(ProviderStateSchema), required=True
    )


class PriceBoardSchema(Schema):
    """Every movie either provider sells, and how current each provider's offers are."""

    data = fields.List(fields.Nested(PricedMovieSchema), attribute="movies", required=True)
    providers = _provider_states()


class PricedMovieDetailSchema(PricedMovieSchema):
    """One movie with the providers' detail fields (plot, director, actors, runtime ...)."""

    details = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    providers = _provider_states()


class ProviderMovieCreateSchema(Schema):
    """A movie to forward to a provider, in snake_case; mapped to its record shape."""

    title = TrimmedString(required=True, validate=validate.Length(min=1, max=MAX_TITLE_LENGTH))
    year = fields.Integer(required=True, strict=True, validate=validate.Range(1800, 2100))
    price = PriceString(required=True)
    id = fields.String(  # noqa: A003
        validate=FullMatch(r"^[0-9]{1,20}$", error="Digits only, without the cw/fw prefix."),
        metadata={"description": "provider-neutral number; the provider makes one if absent"},
    )
    poster = fields.Url(
        schemes={"http", "https"},
        validate=validate.Length(max=2000),
        metadata={"pattern": POSTER_URL_PATTERN},
    )
    rated = _detail()
    released = _detail()
    runtime = _detail()
    genre = _detail()
    director = _detail()
    writer = _detail()
    actors = _detail()
    plot = _detail()
    language = _detail()
    country = _detail()
    awards = _detail()


class ProviderMovieSchema(Schema):
    """A movie as the provider stored it."""

    provider = fields.String(required=True)
    provider_movie_id = fields.String(required=True)
    id = fields.String(required=True, attribute="movie_id")  # noqa: A003
    title = fields.String(required=True)
    year = fields.Integer(allow_none=True)
    poster = fields.String(allow_none=True)
    price = _price()
    details = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
