from __future__ import annotations

from collections import Counter
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from src.collections_api.models import (
    DESCRIPTION_MAX,
    GENRES_MAX,
    MOVIE_DESCRIPTION_MAX,
    MOVIE_TITLE_MAX,
    MOVIES_MAX,
    TITLE_MAX,
)
from src.fields import NON_BLANK_PATTERN, TrimmedString


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


class CollectionMovieSchema(Schema):
    """A movie as the movie list has it (see GET /movies/), kept exactly as sent."""

    title = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MOVIE_TITLE_MAX), _not_blank],
        metadata={"pattern": NON_BLANK_PATTERN},
    )
    description = fields.String(
        load_default="", validate=validate.Length(max=MOVIE_DESCRIPTION_MAX)
    )
    genres = fields.String(
        load_default="",
        validate=validate.Length(max=GENRES_MAX),
        metadata={"description": "Comma-separated, as the movie list sends it; may be empty."},
    )
    uuid = fields.UUID(required=True)


class CollectionUpdateSchema(Schema):
    """Any of title, description and movies; `movies` replaces the whole list."""

    class Meta:
        openapi = {"minProperties": 1}  # in the spec: what require_some_field checks

    title = TrimmedString(validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(validate=validate.Length(max=DESCRIPTION_MAX))
    movies = fields.List(
        fields.Nested(CollectionMovieSchema),
        validate=validate.Length(max=MOVIES_MAX),
        metadata={"description": f"At most {MOVIES_MAX}; each uuid at most once."},
    )

    @validates_schema(skip_on_field_errors=True)
    def validate_distinct_movies(self, data: dict[str, Any], **_: Any) -> None:
        # One row per movie and collection: a repeated uuid is ambiguous (which title?).
        counts = Counter(movie["uuid"] for movie in data.get("movies", []))
        repeated = sorted(str(uuid) for uuid, count in counts.items() if count > 1)
        if repeated:
            message = f"Each movie at most once; repeated: {', '.join(repeated)}."
            raise ValidationError(message, field_name="movies")

    @validates_schema
    def require_some_field(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("Send at least one of title, description and movies.")


class CollectionCreateSchema(CollectionUpdateSchema):
    """A new collection: a title, and optionally a description and its movies."""

    title = TrimmedString(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    description = fields.String(load_default="", validate=validate.Length(max=DESCRIPTION_MAX))
    movies = fields.List(
        fields.Nested(CollectionMovieSchema),
        load_default=list,
        validate=validate.Length(max=MOVIES_MAX),
        metadata={"description": f"At most {MOVIES_MAX}; each uuid at most once."},
    )


class CollectionSummarySchema(Schema):
    title = fields.String(required=True)
    uuid = fields.UUID(required=True)
    description = fields.String(required=True)


class CollectionListDataSchema(Schema):
    collections = fields.List(fields.Nested(CollectionSummarySchema), required=True)
    favourite_genres = fields.String(
        required=True,
        metadata={"description": "Up to 3 genres with the most movies, e.g. 'Drama, Action'."},
    )


class CollectionListSchema(Schema):
    is_success = fields.Boolean(required=True)
    data = fields.Nested(CollectionListDataSchema, required=True)


class CollectionCreatedSchema(Schema):
    collection_uuid = fields.UUID(required=True)


class CollectionSchema(Schema):
    """A collection with its movies, in the order they were given."""

    title = fields.String(required=True)
    description = fields.String(required=True)
    movies = fields.List(fields.Nested(CollectionMovieSchema), required=True)
