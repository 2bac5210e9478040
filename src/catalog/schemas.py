from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from src.catalog.models import (
    DESCRIPTION_MAX,
    DIRECTOR_MAX,
    FORMATS,
    GENRE_NAME_MAX,
    IMDB_SCORE_RANGE,
    LENGTH_RANGE,
    POPULARITY_RANGE,
    RATING_RANGE,
    SORTED_BY_INDEX,
    TITLE_MAX,
    YEAR_RANGE,
)
from src.dates import StrictDate
from src.fields import FullMatch, StrictFloat, TrimmedString
from src.pagination import PageQuerySchema

SORTABLE = ("title", *SORTED_BY_INDEX)  # every sort has its (column, id) index
MAX_GENRES = 20
_SORT_KEY = "-?(?:{})".format("|".join(SORTABLE))
SORT_PATTERN = f"^{_SORT_KEY}(?:,{_SORT_KEY}){{0,{len(SORTABLE) - 1}}}$"


def _range(bounds: tuple[int, int]) -> validate.Range:
    return validate.Range(min=bounds[0], max=bounds[1])


class MovieCreateSchema(Schema):
    """A whole movie: the five required fields and any optional ones."""

    title = TrimmedString(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))  # noqa: A003
    length = fields.Integer(required=True, strict=True, validate=_range(LENGTH_RANGE))
    release_year = fields.Integer(required=True, strict=True, validate=_range(YEAR_RANGE))
    rating = fields.Integer(required=True, strict=True, validate=_range(RATING_RANGE))
    genres = fields.List(
        TrimmedString(validate=validate.Length(min=1, max=GENRE_NAME_MAX)),
        load_default=list,
        validate=validate.Length(max=MAX_GENRES),
    )
    director = TrimmedString(
        load_default=None, allow_none=True, validate=validate.Length(max=DIRECTOR_MAX)
    )
    description = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=DESCRIPTION_MAX)
    )
    expiry_date = StrictDate(load_default=None, allow_none=True)
    imdb_score = StrictFloat(
        load_default=None, allow_none=True, allow_nan=False, validate=_range(IMDB_SCORE_RANGE)
    )
    popularity = StrictFloat(
        load_default=None, allow_none=True, allow_nan=False, validate=_range(POPULARITY_RANGE)
    )


class MovieUpdateSchema(MovieCreateSchema):
    """Any subset of a movie's fields (load with partial=True); required ones never null."""

    class Meta:
        openapi = {"minProperties": 1}  # in the spec: what require_some_field checks

    @validates_schema
    def require_some_field(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one field to change.")


class MovieSchema(Schema):
    """A catalog movie as clients see it."""

    id = fields.UUID(dump_only=True)  # noqa: A003
    title = fields.String()
    format = fields.String()  # noqa: A003
    length = fields.Integer()
    release_year = fields.Integer()
    rating = fields.Integer()
    genres = fields.Function(lambda movie: [genre.name for genre in movie.genres])
    director = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    expiry_date = fields.Date(allow_none=True)
    imdb_score = fields.Float(allow_none=True)
    popularity = fields.Float(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class MovieQuerySchema(PageQuerySchema):
    """Search filters: every filter given must match."""

    title = fields.String(validate=validate.Length(min=1, max=TITLE_MAX))
    genre = fields.String(validate=validate.Length(min=1, max=GENRE_NAME_MAX))
    format = fields.String(validate=validate.OneOf(FORMATS))  # noqa: A003
    release_year = fields.Integer(validate=_range(YEAR_RANGE))
    rating = fields.Integer(validate=_range(RATING_RANGE))
    director = fields.String(validate=validate.Length(min=1, max=DIRECTOR_MAX))
    expiry_date = StrictDate()
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Part of the title or director, any case; on Postgres also a near "
            "spelling (one typo in a word of seven letters or more) of words of them. Without "
            "`sort`: the closest matches first."
        },
    )
    sort = fields.String(
        validate=FullMatch(
            SORT_PATTERN, error=f"Sort by any of {', '.join(SORTABLE)}, '-' for descending."
        ),
        metadata={
            "description": "Comma-separated fields, '-' for descending, e.g. -release_year,title."
            " Default: title, or relevance when `q` is given. NULLs sort last ascending."
        },
    )
    cursor = fields.String(
        validate=validate.Length(min=1, max=2000),
        metadata={
            "description": "Opaque: where the next page starts, as given in `next`. Bound to "
            "the filters and sort it came with (others: 422). A cursor page's `previous` is null."
        },
    )

    @validates_schema
    def validate_paging(self, data: dict[str, Any], **_: Any) -> None:
        if "cursor" in data and data["page"] != 1:
            raise ValidationError("Give `page` or `cursor`, not both.", field_name="cursor")


class ExpiredQuerySchema(PageQuerySchema):
    """An inclusive range of expiry dates."""

    date_from = StrictDate(required=True, data_key="from")
    date_to = StrictDate(required=True, data_key="to")

    @validates_schema
    def validate_order(self, data: dict[str, Any], **_: Any) -> None:
        if data["date_from"] > data["date_to"]:
            raise ValidationError("'from' must not be after 'to'.", field_name="from")


class GenreSchema(Schema):
    name = fields.String()
    movie_count = fields.Integer()
