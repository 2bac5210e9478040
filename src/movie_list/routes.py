from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from src.movie_list import service
from src.movie_list.schemas import ListedMovieSchema, MovieListQuerySchema
from src.pagination import envelope_schema

bp = Blueprint(
    "movie_list", __name__, url_prefix="/movies", description="The third-party movie list"
)


@bp.get("/")
@bp.arguments(MovieListQuerySchema, location="query")
@bp.response(200, envelope_schema(ListedMovieSchema))
@bp.alt_response(404, description="The page is past the end of the movie list.")
@bp.alt_response(502, description="The movie list refused our credentials or sent nonsense.")
@bp.alt_response(503, description="The movie list is failing or not configured (Retry-After).")
@bp.alt_response(504, description="The movie list did not answer in time (Retry-After).")
def list_movies(query: dict[str, Any]) -> dict[str, Any]:
    """One page of the third-party movie list, 10 movies a page."""
    return service.list_page(**query)
