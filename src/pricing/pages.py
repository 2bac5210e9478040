"""The customer page: server-rendered HTML, public, not part of the API (nor its spec)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import Blueprint, render_template

from src.accounts.auth import public
from src.errors import NotFound, UpstreamUnavailable
from src.pricing import service
from src.pricing.comparison import troubled_providers

bp = Blueprint("pages", __name__)
RETRY_AFTER_S = 10
# The provider detail fields the movie page shows, in this order, with their labels.
DETAIL_LABELS = {
    "plot": "Plot",
    "director": "Director",
    "writer": "Writer",
    "actors": "Actors",
    "genre": "Genre",
    "runtime": "Runtime",
    "rated": "Rated",
    "released": "Released",
    "rating": "Rating",
    "votes": "Votes",
    "metascore": "Metascore",
    "awards": "Awards",
    "language": "Language",
    "country": "Country",
}
Page = tuple[str, int] | tuple[str, int, dict[str, str]]


@bp.get("/")
@public
def home() -> Page:
    """Every movie with its cheapest price and where."""
    try:
        board = service.price_board()
    except UpstreamUnavailable:
        return _unavailable()
    troubled = troubled_providers(board.providers)
    return render_template("pricing/index.html", board=board, troubled=troubled), 200


@bp.get("/movies/<movie_id>")
@public
def movie_page(movie_id: str) -> Page:
    """One movie: every offer and the providers' details."""
    try:
        movie, providers = service.priced_movie(movie_id=movie_id)
    except UpstreamUnavailable:
        return _unavailable()
    except NotFound:
        return render_template("pricing/not_found.html", movie_id=movie_id), 404
    troubled = troubled_providers(providers)
    page = render_template(
        "pricing/movie.html", movie=movie, troubled=troubled, labels=DETAIL_LABELS
    )
    return page, 200


def _unavailable() -> Page:
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    return render_template("pricing/unavailable.html"), 503, headers


@bp.app_template_filter("money")
def money(price: Decimal) -> str:
    """A price with two places, from the Decimal itself (never through float)."""
    return f"{price:.2f}"


@bp.app_template_filter("utc")
def utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"
