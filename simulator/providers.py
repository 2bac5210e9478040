"""The cinemaworld and filmworld APIs: list, detail and posting a movie."""

import hmac

from flask import Blueprint, abort, current_app, request

from simulator.catalog import DuplicateMovie, InvalidMovie, MovieRecord, ProviderCatalog
from simulator.faults import disrupt
from simulator.stats import record

bp = Blueprint("providers", __name__, url_prefix="/api/<provider>")


def catalog(provider: str) -> ProviderCatalog:
    """The provider's catalog, or 404 for a provider the simulator does not serve."""
    catalogs: dict[str, ProviderCatalog] = current_app.extensions["simulator.catalogs"]
    if provider not in catalogs:
        abort(404, f"Unknown provider {provider}.")
    return catalogs[provider]


@bp.before_request
def admit() -> None:
    """Count the call, apply the provider's faults, then require its access token."""
    provider = (request.view_args or {}).get("provider", "")
    catalog(provider)
    record(provider)
    disrupt(provider)
    given = request.headers.get("x-access-token", "").encode()
    expected = current_app.config["PROVIDER_API_TOKEN"].encode()
    if not hmac.compare_digest(given, expected):
        abort(401, "Missing or invalid x-access-token.")


@bp.get("/movies")
def list_movies(provider: str) -> dict[str, list[MovieRecord]]:
    """Every movie the provider sells, in short form."""
    return {"Movies": catalog(provider).summaries()}


@bp.get("/movies/<movie_id>")
def show_movie(provider: str, movie_id: str) -> MovieRecord:
    """One movie's full record, price included."""
    movie = catalog(provider).find(movie_id)
    if movie is None:
        abort(404, f"Movie {movie_id} not found.")
    return movie


@bp.post("/movie")
def add_movie(provider: str) -> tuple[MovieRecord, int]:
    """Store a new movie at the provider."""
    raw = request.get_json(force=True, silent=True)
    if not isinstance(raw, dict):
        abort(400, "The body must be a JSON object.")
    try:
        movie = catalog(provider).add(raw)
    except InvalidMovie as error:
        abort(422, str(error))
    except DuplicateMovie as error:
        abort(409, str(error))
    return movie, 201
