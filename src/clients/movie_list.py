"""Client of the third-party movie list: paginated, behind basic auth, often flaky.

GETs are retried on 429/500/502/503/504 with jittered back-off (Retry-After honoured
but capped), every try has (connect, read) timeouts, the whole call ends by the
caller's deadline, and a circuit breaker makes a dead upstream fail fast. Transport
trouble becomes a domain error here; the password never leaves this module.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

import pybreaker
import requests

from src.clients.outbound import (
    DeadlineExceeded,
    UpstreamPolicy,
    call_timeout,
    guarded,
    outbound_deadline,
    session_for,
    timed_out,
)
from src.errors import (
    AppError,
    NotFound,
    UpstreamBadGateway,
    UpstreamTimeout,
    UpstreamUnavailable,
)

POLICY = UpstreamPolicy(
    name="movie-list",
    connect_timeout_s=1.0,
    read_timeout_s=2.0,
    # The list is known to be flaky: 7 retries make a failure at a 50 % error rate rare
    # (1 in 256); short back-off (at most 2.2 s in all) keeps them inside the deadline, and
    # the breaker stops the retry storm once the upstream is plainly down.
    retries=7,
    backoff_factor=0.05,
    backoff_jitter=0.05,
    backoff_max_s=0.5,
    retry_after_max_s=2,
    pool_maxsize=16,
    breaker_fail_max=5,
    breaker_reset_s=15.0,
)
RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


class UpstreamServerError(Exception):
    """The movie list still answered 5xx after the retries (counted by the breaker)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"the movie list answered {status}")
        self.status = status


class MalformedPage(ValueError):
    """The movie list answered 200 with a body this client cannot read."""


@dataclass(frozen=True)
class MovieListSettings:
    """Where the movie list is and how to log in; repr never shows the password."""

    url: str
    username: str
    password: str = field(repr=False)
    deadline_s: float = 5.0


@dataclass(frozen=True)
class MovieListEntry:
    """One movie as the movie list has it; `genres` is its comma-separated string."""

    title: str
    description: str
    genres: str
    uuid: str


@dataclass(frozen=True)
class MovieListPage:
    """One page of the movie list."""

    count: int
    has_next: bool
    has_previous: bool
    movies: list[MovieListEntry]


_FAILURES = (requests.RequestException, DeadlineExceeded, UpstreamServerError)


def fetch_page(*, settings: MovieListSettings, page: int) -> MovieListPage:
    """One page of the movie list, or a domain error that says what went wrong."""
    try:
        with outbound_deadline(settings.deadline_s), guarded(POLICY):
            response = _get(settings, page)
    except (*_FAILURES, pybreaker.CircuitBreakerError) as error:
        raise _translate(error) from error
    return _page_from(response, page=page)


def _get(settings: MovieListSettings, page: int) -> requests.Response:
    response = session_for(POLICY).get(
        settings.url,
        params={"page": str(page)},
        auth=(settings.username, settings.password),
        # requests hands a urllib3 Timeout to urllib3 as it is; its annotations omit it.
        timeout=call_timeout(POLICY),  # type: ignore[arg-type]
    )
    if response.status_code >= 500:
        raise UpstreamServerError(response.status_code)
    return response


def _translate(error: Exception) -> AppError:
    """The domain error a client of this service sees for a failed call."""
    retry_after = {"Retry-After": str(RETRY_AFTER_S)}
    if isinstance(error, pybreaker.CircuitBreakerError):
        return UpstreamUnavailable(
            "The movie list keeps failing; calls to it are paused for a moment.",
            retry_after=math.ceil(POLICY.breaker_reset_s),
        )
    if timed_out(error):
        return UpstreamTimeout("The movie list did not answer in time.", headers=retry_after)
    if isinstance(error, UpstreamServerError):
        return UpstreamUnavailable(
            f"The movie list failed (HTTP {error.status}) after retries.",
            retry_after=RETRY_AFTER_S,
        )
    return UpstreamUnavailable("The movie list cannot be reached.", retry_after=RETRY_AFTER_S)


def _page_from(response: requests.Response, *, page: int) -> MovieListPage:
    status = response.status_code
    if status == 404:
        raise NotFound(f"Page {page} is past the end of the movie list.")
    if status in (401, 403):
        raise UpstreamBadGateway("The movie list refused this service's credentials.")
    if status == 429:
        raise UpstreamUnavailable("The movie list is rate limiting us.", retry_after=RETRY_AFTER_S)
    if status != 200:
        raise UpstreamBadGateway(f"The movie list answered an unexpected HTTP {status}.")
    try:
        return _parse_page(response.json())
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # JSONDecodeError too
        log.warning("unreadable movie list page %s: %s", page, error)
        raise UpstreamBadGateway("The movie list sent a page this service cannot read.") from error


def _parse_page(body: Any) -> MovieListPage:
    results = body["results"]
    count = body["count"]
    if not isinstance(results, list) or isinstance(count, bool) or not isinstance(count, int):
        raise MalformedPage("count must be an integer and results a list")
    return MovieListPage(
        count=count,
        has_next=body.get("next") is not None,
        has_previous=body.get("previous") is not None,
        movies=[_parse_entry(raw) for raw in results],
    )


def _parse_entry(raw: Any) -> MovieListEntry:
    genres = raw.get("genres") or ""
    texts = (raw["title"], raw.get("description") or "", genres, raw["uuid"])
    if not all(isinstance(text, str) for text in texts):
        raise MalformedPage("title, description, genres and uuid must be strings")
    return MovieListEntry(
        title=raw["title"],
        description=texts[1],
        genres=genres,
        uuid=str(uuid.UUID(raw["uuid"])),
    )
