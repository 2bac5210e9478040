from __future__ import annotations

import uuid
from typing import Any

from flask import Response
from flask_smorest import Blueprint

from src.accounts.auth import admin_required, reads_revision
from src.caching import NOT_MODIFIED
from src.catalog import reads, service
from src.catalog.models import Movie
from src.catalog.schemas import (
    ExpiredQuerySchema,
    GenreSchema,
    MovieCreateSchema,
    MovieQuerySchema,
    MovieSchema,
    MovieUpdateSchema,
)
from src.pagination import PageQuerySchema, envelope_schema
from src.repeat_reads import answers_repeats

bp = Blueprint("catalog", __name__, url_prefix="/catalog", description="The movie catalog")
# The reads take schema instances: given a class, webargs would build a schema every request.


@bp.get("/movies/")
@answers_repeats
@bp.arguments(MovieQuerySchema(), location="query")
@bp.response(200, envelope_schema(MovieSchema))
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.CATALOG_REVISION)
def search_movies(query: dict[str, Any]) -> Response:
    """Search movies: every filter given must match."""
    return reads.search_movies(query)


@bp.post("/movies/")
@admin_required
@bp.arguments(MovieCreateSchema)
@bp.response(201, MovieSchema)
def create_movie(data: dict[str, Any]) -> Movie:
    """Add a movie to the catalog (admin)."""
    return service.create_movie(**data)


@bp.get("/movies/expired/")
@answers_repeats
@bp.arguments(ExpiredQuerySchema(), location="query")
@bp.response(200, envelope_schema(MovieSchema))
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.CATALOG_REVISION)
def expired_movies(query: dict[str, Any]) -> Response:
    """Movies whose expiry date is in the inclusive range from..to."""
    return reads.expired_movies(query)


@bp.get("/movies/<uuid:movie_id>/")
@answers_repeats
@bp.response(200, MovieSchema)
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.CATALOG_REVISION)
def get_movie(movie_id: uuid.UUID) -> Response:
    """One movie."""
    return reads.get_movie(movie_id)


@bp.put("/movies/<uuid:movie_id>/")
@admin_required
@bp.arguments(MovieCreateSchema)
@bp.response(200, MovieSchema)
def replace_movie(data: dict[str, Any], movie_id: uuid.UUID) -> Movie:
    """Replace a whole movie (admin); optional fields not sent are cleared."""
    return service.replace_movie(movie_id=movie_id, **data)


@bp.patch("/movies/<uuid:movie_id>/")
@admin_required
@bp.arguments(MovieUpdateSchema(partial=True))
@bp.response(200, MovieSchema)
def update_movie(data: dict[str, Any], movie_id: uuid.UUID) -> Movie:
    """Change some fields of a movie (admin)."""
    return service.update_movie(movie_id=movie_id, **data)


@bp.delete("/movies/<uuid:movie_id>/")
@admin_required
@bp.response(204)
def delete_movie(movie_id: uuid.UUID) -> None:
    """Remove a movie (admin)."""
    service.delete_movie(movie_id=movie_id)


@bp.get("/genres/")
@answers_repeats
@bp.arguments(PageQuerySchema(), location="query")
@bp.response(200, envelope_schema(GenreSchema))
@bp.alt_response(304, description=NOT_MODIFIED)
@reads_revision(service.CATALOG_REVISION)
def list_genres(query: dict[str, Any]) -> Response:
    """Every genre with its number of movies."""
    return reads.list_genres(query)
