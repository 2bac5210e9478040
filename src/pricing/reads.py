"""The price reads, answered from the read cache under the prices revision, with ETag/304.

The worker's refresh bumps the prices revision in the transaction that stores what it
fetched (refresh.py); each read looks it up first, in the transaction that would compute the
answer, so what is computed is never older than the revision it is kept under. The stored
prices (every offer and each provider's last success) are read once per revision in each
process.

The providers' states also depend on the time: each request computes them from the kept last
successes, and every answer that shows them is kept under the revision *and* the states. The
moment a provider turns stale the key changes, so no entry (nor its ETag) shows `ok` after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Response

from src import caching, revisions
from src.columns import utcnow
from src.pricing import history, service
from src.pricing.comparison import PricedMovie, PriceSnapshot, ProviderState
from src.pricing.repository import PRICES_REVISION
from src.pricing.schemas import PriceBoardSchema, PricedMovieDetailSchema

# What Python holds per stored movie, offer, detail field and daily low beyond its text: an
# estimate for the cache's byte bound, not a measurement.
MOVIE_BYTES, OFFER_BYTES, FIELD_BYTES, DAILY_LOW_BYTES = 600, 250, 120, 250

_board = PriceBoardSchema()
_detail = PricedMovieDetailSchema()


@dataclass(frozen=True, slots=True)
class StoredPrices:
    """The stored snapshot of one prices revision, and its movies by id."""

    snapshot: PriceSnapshot
    by_id: dict[str, PricedMovie]
    nbytes: int

    @classmethod
    def read(cls) -> StoredPrices:
        snapshot = service.read_snapshot()
        return cls(
            snapshot=snapshot,
            by_id={movie.id: movie for movie in snapshot.movies},
            nbytes=sum(_movie_bytes(movie) for movie in snapshot.movies),
        )


@dataclass(frozen=True, slots=True)
class PriceView:
    """The prices as one request sees them: the revision, what it stored, the states now."""

    revision: revisions.Revision
    stored: StoredPrices
    states: dict[str, ProviderState]
    now: datetime

    def key(self, kind: str, request_key: str) -> str:
        """The cache key of an answer that shows this revision's prices and these states."""
        states = ",".join(state.status for state in self.states.values())
        return caching.cache_key(kind, self.revision, f"{states}|{request_key}")

    def movie(self, movie_id: str) -> PricedMovie:
        """One stored movie; NotFound if no provider sells it."""
        return service.priced_movie(movies=self.stored.by_id, movie_id=movie_id)


@dataclass(frozen=True, slots=True)
class DailyLows:
    """A movie's daily lows at each provider over the chart's window."""

    lows: list[history.DailyLow]

    @property
    def nbytes(self) -> int:
        return DAILY_LOW_BYTES * (1 + len(self.lows))


def current_view() -> PriceView:
    """The prices now; UpstreamUnavailable (503) while nothing at all is known."""
    revision = revisions.current(PRICES_REVISION)
    key = caching.cache_key("prices.stored", revision, "")
    stored = caching.read_cache().get_or_make(key, StoredPrices.read)
    now = utcnow()
    states = service.provider_states(snapshot=stored.snapshot, now=now)
    return PriceView(revision, stored, states, now)


def cached_body(key: str, make: Callable[[], caching.CachedBody]) -> caching.CachedBody:
    return caching.read_cache().get_or_make(key, make)


def list_prices() -> Response:
    """Every movie either provider sells, with the cheapest offer and each provider's state."""
    view = current_view()

    def make() -> caching.CachedBody:
        board = service.price_board(snapshot=view.stored.snapshot, states=view.states)
        return caching.CachedBody.of(_board.dump(board))

    return caching.answer_body(cached_body(view.key("prices.board", ""), make))


def get_prices(movie_id: str) -> Response:
    """One movie's offers and details, and each provider's state (NotFound is never kept)."""
    view = current_view()
    movie = view.movie(movie_id)

    def make() -> caching.CachedBody:
        found = {**vars(movie), "cheapest": movie.cheapest, "providers": view.states}
        return caching.CachedBody.of(_detail.dump(found))

    return caching.answer_body(cached_body(view.key("prices.movie", movie.id), make))


def daily_lows(view: PriceView, *, movie_id: str) -> list[history.DailyLow]:
    """The movie's daily lows up to today, read once per prices revision and day."""
    today = view.now.date()
    key = caching.cache_key("prices.daily_lows", view.revision, f"{movie_id}|{today}")

    def make() -> DailyLows:
        return DailyLows(history.daily_lows(movie_id=movie_id, today=today))

    return caching.read_cache().get_or_make(key, make).lows


def _movie_bytes(movie: PricedMovie) -> int:
    text = len(movie.title) + len(movie.poster or "")
    details = sum(FIELD_BYTES + len(name) + len(value) for name, value in movie.details.items())
    return MOVIE_BYTES + text + OFFER_BYTES * len(movie.offers) + details
