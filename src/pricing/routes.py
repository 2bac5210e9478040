"""The price comparison API: /prices/movies/ and the admin pass-through to a provider."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from src.accounts.auth import admin_required
from src.caching import NOT_MODIFIED
from src.clients.provider_records import ProviderMovie
from src.pricing import reads, service
from src.pricing.schemas import (
    PriceBoardSchema,
    PricedMovieDetailSchema,
    ProviderMovieCreateSchema,
    ProviderMovieSchema,
)

bp = Blueprint(
    "prices",
    __name__,
    url_prefix="/prices",
    description="Cheapest prices at cinemaworld and filmworld",
)
NOTHING_KNOWN = "No provider's prices are known yet (both failing since the start)."


@bp.get("/movies/")
@bp.response(200, PriceBoardSchema)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.alt_response(503, description=NOTHING_KNOWN)
def list_prices() -> Response:
    """Every movie either provider sells, merged by id, with the cheapest offer."""
    return reads.list_prices()


@bp.get("/movies/<movie_id>/")
@bp.response(200, PricedMovieDetailSchema)
@bp.alt_response(304, description=NOT_MODIFIED)
@bp.alt_response(404, description="No provider sells a movie with this id.")
@bp.alt_response(503, description=NOTHING_KNOWN)
def get_prices(movie_id: str) -> Response:
    """One movie's offers, cheapest first, with the providers' details (plot, director ...)."""
    return reads.get_prices(movie_id)


@bp.post("/providers/<provider>/movies/")
@admin_required
@bp.arguments(ProviderMovieCreateSchema)
@bp.response(201, ProviderMovieSchema)
@bp.alt_response(404, description="No such provider.")
@bp.alt_response(502, description="The provider answered with an error.")
@bp.alt_response(503, description="The provider cannot be reached, or its calls are paused.")
@bp.alt_response(504, description="The provider did not answer in time.")
def add_provider_movie(data: dict[str, Any], provider: str) -> ProviderMovie:
    """Forward a movie to a provider (admin); answers what the provider stored."""
    return service.add_provider_movie(provider=provider, movie=data)
