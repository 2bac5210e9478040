"""Fetching the providers' prices for the worker's refresh: every provider at once, each
its list then every movie's record in parallel, all under one outbound deadline.
"""

from __future__ import annotations

import contextvars
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
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
    def kind(self) -> str:
        """ok (list and every record), partial (some records missing), failed (no list),
        paused (the circuit breaker made no call)."""
        if self.paused:
            return "paused"
        if self.listed_ids is None:
            return "failed"
        return "partial" if self.unfinished_ids else "ok"


def fetch_providers(
    *, clients: Sequence[ProviderClient], deadline_s: float, detail_concurrency: int
) -> list[FetchOutcome]:
    """What every provider sells, fetched at once, all within deadline_s seconds: a record
    still missing then is left unfinished. The threads end with the deadline (every
    outbound call does), so this returns at most DEADLINE_MARGIN_S after it."""
    with outbound_deadline(deadline_s), ThreadPoolExecutor(len(clients)) as pool:
        # Each thread copies this context, so that it keeps the deadline.
        futures = [
            pool.submit(contextvars.copy_context().run, _fetch_one, client, detail_concurrency)
            for client in clients
        ]
        return [future.result() for future in futures]


def _fetch_one(client: ProviderClient, detail_concurrency: int) -> FetchOutcome:
    threads = max(1, detail_concurrency)
    with ThreadPoolExecutor(threads, thread_name_prefix=f"price-{client.provider}") as pool:
        return fetch_provider(client=client, details_pool=pool)


def fetch_provider(*, client: ProviderClient, details_pool: Executor) -> FetchOutcome:
    """The provider's list and records, under the caller's outbound deadline."""
    outcome = FetchOutcome(provider=client.provider, started_at=utcnow())
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
