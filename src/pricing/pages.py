"""The customer page: server-rendered HTML, public, not part of the API (nor its spec). Its
paths share no prefix with the API's: `/` and `/films/<id>` (the JSON movie list is
`/movies/`); the movie pages' old `/movies/<id>` redirect there for good."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from src import caching
from src.accounts.auth import public
from src.clients.providers import PROVIDERS
from src.errors import NotFound, UpstreamUnavailable
from src.pricing import reads, service
from src.pricing.chart import MONTHS
from src.pricing.comparison import PricedMovie, troubled_providers
from src.pricing.history import price_history

bp = Blueprint("pages", __name__)
RETRY_AFTER_S = 10
PERMANENT_REDIRECT = 308  # the method kept, as 301 does not promise
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
# A page is rendered once per prices revision, providers' states and canonical request, and
# kept in the read cache (src/pricing/reads.py says why that never shows `ok` once stale).
Page = Response | tuple[str, int] | tuple[str, int, dict[str, str]]
# The home page's orders, by the value of its `sort` parameter, with their labels. An
# unknown value is ignored: the page is shown in the default order, which the form then shows.
SORTS: dict[str, tuple[str, Callable[[PricedMovie], Decimal | str], bool]] = {
    "title": ("Title, A to Z", lambda movie: _folded(movie.title), False),
    "-title": ("Title, Z to A", lambda movie: _folded(movie.title), True),
    "price": ("Price, lowest first", lambda movie: movie.cheapest.price, False),
    "-price": ("Price, highest first", lambda movie: movie.cheapest.price, True),
}
DEFAULT_SORT = "title"


@bp.get("/")
@public
def home() -> Page:
    """Every movie with its cheapest price and where; `q` finds titles, `sort` orders them."""
    query = request.args.get("q", "").strip()
    sort = request.args.get("sort", DEFAULT_SORT)
    sort = sort if sort in SORTS else DEFAULT_SORT
    try:
        view = reads.current_view()
    except UpstreamUnavailable:
        return _unavailable()

    def render() -> caching.CachedBody:
        page = render_template(
            "pricing/index.html",
            board=service.price_board(snapshot=view.stored.snapshot, states=view.states),
            movies=_ordered(_titled(view.stored.snapshot.movies, query), sort),
            query=query,
            sort=sort,
            sorts={value: label for value, (label, _, _) in SORTS.items()},
            troubled=troubled_providers(view.states),
        )
        return caching.CachedBody.of_html(page)

    key = view.key("pages.home", caching.canonical({"q": query, "sort": sort, **_where()}))
    return caching.answer_html(reads.cached_body(key, render))


@bp.get("/films/<movie_id>")
@public
def movie_page(movie_id: str) -> Page:
    """One movie: every offer and the providers' details."""
    try:
        view = reads.current_view()
        movie = view.movie(movie_id)
    except UpstreamUnavailable:
        return _unavailable()
    except NotFound:
        return render_template("pricing/not_found.html", movie_id=movie_id), 404

    today = view.now.date()

    def render() -> caching.CachedBody:
        lows = reads.daily_lows(view, movie_id=movie.id)
        page = render_template(
            "pricing/movie.html",
            movie=movie,
            history=price_history(lows=lows, providers=PROVIDERS, today=today),
            troubled=troubled_providers(view.states),
            labels=DETAIL_LABELS,
        )
        return caching.CachedBody.of_html(page)

    key = view.key("pages.movie", caching.canonical({"id": movie.id, "day": today, **_where()}))
    return caching.answer_html(reads.cached_body(key, render))


def _where() -> dict[str, str]:
    """What a page's own links depend on besides the data: the prefix it is served under (a
    trusted proxy's X-Forwarded-Prefix)."""
    return {"root": request.script_root}


@bp.get("/movies/<movie_id>")
@public
def old_movie_page(movie_id: str) -> Response:
    """The movie page's former address: a permanent redirect to it, the query kept."""
    target = url_for("pages.movie_page", movie_id=movie_id)
    query = request.query_string.decode("latin-1")
    return redirect(f"{target}?{query}" if query else target, code=PERMANENT_REDIRECT)


def _folded(text: str) -> str:
    """Text for caseless matching: compatibility-normalised and case-folded (so "É" written
    as one character or as E and an accent, "STRASSE" and "straße" all match)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def _titled(movies: Sequence[PricedMovie], query: str) -> list[PricedMovie]:
    """The movies whose title contains the query, whatever the case; all without one."""
    if not query:
        return list(movies)
    wanted = _folded(query)
    return [movie for movie in movies if wanted in _folded(movie.title)]


def _ordered(movies: list[PricedMovie], sort: str) -> list[PricedMovie]:
    """In the order asked for; ties keep the board's order (by title, then id), also when
    descending (a stable sort)."""
    if sort == DEFAULT_SORT:
        return movies  # the board's own order: no key to compute per request
    _, key, descending = SORTS[sort]
    return sorted(movies, key=key, reverse=descending)


def _unavailable() -> Page:
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    return render_template("pricing/unavailable.html"), 503, headers


@bp.app_template_filter("money")
def money(price: Decimal) -> str:
    """A price with two places, from the Decimal itself (never through float)."""
    return f"{price:.2f}"


@bp.app_template_filter("price")
def price(amount: Decimal) -> str:
    """A price with its currency, "AUD 29.50"."""
    return f"{current_app.config['PRICE_CURRENCY']} {amount:.2f}"


@bp.app_template_filter("day")
def day(moment: date) -> str:
    """A day as "3 Nov 2026", the same in every locale."""
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


@bp.app_template_filter("utc")
def utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"
