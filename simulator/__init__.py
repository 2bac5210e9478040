"""The provider simulator: cinemaworld, filmworld and the movie list API, with fault injection."""

from collections.abc import Mapping
from pathlib import Path

from flask import Flask, Response, current_app
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import HTTPException

from simulator import faults, movie_list, providers, stats
from simulator.catalog import load_catalogs
from simulator.movie_list_entries import load_movie_list
from simulator.settings import load_settings

DATA_DIR = Path(__file__).parent / "data"


class _SimulatorJSON(DefaultJSONProvider):
    """JSON as the real upstreams sent it: fields in their order, text in UTF-8."""

    sort_keys = False
    ensure_ascii = False


def create_app(config: Mapping[str, object] | None = None) -> Flask:
    """Build the simulator; config (keyed like the environment variables) overrides the env."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.json = _SimulatorJSON(app)
    app.config.update(
        PROVIDER_API_TOKEN=settings.provider_api_token,
        MOVIE_LIST_USERNAME=settings.movie_list_username,
        MOVIE_LIST_PASSWORD=settings.movie_list_password,
    )
    app.extensions["simulator.faults"] = faults.FaultBoard(
        seed=settings.seed, initial=settings.faults
    )
    app.extensions["simulator.stats"] = stats.RequestStats()
    app.extensions["simulator.catalogs"] = load_catalogs(settings.provider_data_dir or DATA_DIR)
    app.extensions["simulator.movie_list"] = load_movie_list(
        DATA_DIR / "imdb.json", size=settings.movie_list_size
    )
    app.register_error_handler(HTTPException, _error_as_json)
    for blueprint in (providers.bp, movie_list.bp, faults.bp, stats.bp):
        app.register_blueprint(blueprint)
    return app


def _error_as_json(error: HTTPException) -> Response:
    """Answer every HTTP error as {"detail": ...}, keeping headers such as WWW-Authenticate."""
    response = error.get_response()
    response.set_data(current_app.json.dumps({"detail": error.description}))
    response.content_type = "application/json"
    return response
