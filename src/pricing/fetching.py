"""Fetching one provider's prices: its list, then every movie's record in parallel.

Runs in a worker thread under its own outbound deadline (PRICE_FETCH_TIMEOUT_S); the
request that asked for it waits only until its own answer is due.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass, field
from datetime import datetime

from src.clients.outbound import outbound_deadline, remaining_s
from src.clients.provider_records import MovieSummary, ProviderMovie
from src.clients.providers import CircuitOpen, ProviderClient
from src.columns import utcnow
from src.errors import AppError


@dataclass
class FetchOutcome:
    """What one fetch of one provider learned."""

    provider: str
    started_at: datetime
    listed_ids: set[str] | None = None  # None: the list itself failed
    offers: list[ProviderMovie] = field(default_factory=list)
    unfinished_ids: set[str] = field(default_factory=set)  # their record did not arrive
    error: str | None = None
    paused: bool = False  # the circuit breaker refused the call: nothing new was learned

    @property
    def complete(self) -> bool:
        return self.listed_ids is not None and not self.unfinished_ids


def fetch_provider(
    *, client: ProviderClient, details_pool: Executor, budget_s: float
) -> FetchOutcome:
    """The provider's list and records, within budget_s seconds in all."""
    outcome = FetchOutcome(provider=client.provider, started_at=utcnow())
    with outbound_deadline(budget_s):
        try:
            summaries = client.list_movies()
        except AppError as exc:
            outcome.error, outcome.paused = exc.detail, isinstance(exc, CircuitOpen)
            return outcome
        outcome.listed_ids = {summary.provider_movie_id for summary in summaries}
        _fetch_records(client, summaries, details_pool, outcome)
    if outcome.unfinished_ids:
        listed = len(outcome.listed_ids)
        outcome.error = f"{len(outcome.unfinished_ids)} of {listed} movie records did not arrive."
    return outcome


def _fetch_records(
    client: ProviderClient,
    summaries: list[MovieSummary],
    pool: Executor,
    outcome: FetchOutcome,
) -> None:
    # Each task copies this context, so that it keeps the fetch's deadline.
    futures: dict[Future[ProviderMovie | None], str] = {
        pool.submit(contextvars.copy_context().run, client.movie, summary.provider_movie_id): (
            summary.provider_movie_id
        )
        for summary in summaries
    }
    done, not_done = wait(futures, timeout=max(0.0, remaining_s() or 0.0))
    for future in not_done:
        future.cancel()  # not started yet: it would only find the deadline passed
    outcome.unfinished_ids = {futures[future] for future in not_done}
    for future in done:
        try:
            movie = future.result()
        except AppError:
            outcome.unfinished_ids.add(futures[future])
            continue
        if movie is not None:  # None: gone or malformed (logged), so no longer offered
            outcome.offers.append(movie)
