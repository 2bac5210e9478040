from __future__ import annotations

from marshmallow import Schema, fields, validate


class MovieListQuerySchema(Schema):
    """Which page of the movie list (10 movies a page, as the movie list has them)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class ListedMovieSchema(Schema):
    """A movie of the movie list; `genres` is its comma-separated string, often empty."""

    title = fields.String(required=True)
    description = fields.String(required=True)
    genres = fields.String(required=True)
    uuid = fields.String(required=True)
