"""The movie list API: a paginated list of movies behind HTTP basic auth."""

import hmac
import math

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from simulator.faults import disrupt
from simulator.movie_list_entries import ListedMovie
from simulator.stats import record

PAGE_SIZE = 10

bp = Blueprint("movie_list", __name__, url_prefix="/api/v1/maya")


@bp.before_request
def admit() -> None:
    """Count the call, apply the movie list's faults, then require its basic-auth credentials."""
    record("movielist")
    disrupt("movielist")
    credentials = request.authorization
    if credentials is None or credentials.type != "basic":
        raise _unauthorized("Authentication credentials were not provided.")
    username_ok = _same(credentials.username, current_app.config["MOVIE_LIST_USERNAME"])
    password_ok = _same(credentials.password, current_app.config["MOVIE_LIST_PASSWORD"])
    if not (username_ok and password_ok):
        raise _unauthorized("Invalid username/password.")


@bp.get("/movies/")
def list_movies() -> dict[str, object]:
    """One page of the movie list, ten movies a page."""
    movies: list[ListedMovie] = current_app.extensions["simulator.movie_list"]
    last_page = max(1, math.ceil(len(movies) / PAGE_SIZE))
    page = _page_number(request.args.get("page", "1"))
    if page is None or page > last_page:
        abort(404, "Invalid page.")
    start = (page - 1) * PAGE_SIZE
    return {
        "count": len(movies),
        "next": _page_url(page + 1) if page < last_page else None,
        "previous": _page_url(page - 1) if page > 1 else None,
        "results": movies[start : start + PAGE_SIZE],
    }


def _page_number(value: str) -> int | None:
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        return None
    return int(value)


def _page_url(page: int) -> str:
    return url_for("movie_list.list_movies", page=page, _external=True)


def _same(given: str | None, expected: str) -> bool:
    return hmac.compare_digest((given or "").encode(), expected.encode())


def _unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(detail, www_authenticate=WWWAuthenticate("basic", {"realm": "movie list"}))
