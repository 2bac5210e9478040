"""The worker's price refresh, the one code that reads the providers' lists and records:
both providers at once under one deadline (PRICE_DEADLINE_S), and what they sent stored in
one transaction with each provider's status, the history and a new prices revision.

The periodic task runs it once per interval of PRICE_REFRESH_S, however many workers run:
each worker's tick claims the interval in the database, and only the one that got it
fetches. `flask --app wsgi refresh-prices` refreshes now, whatever was claimed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app

from src.clients.providers import PROVIDERS, provider_client
from src.columns import utcnow
from src.database import outbound_call
from src.extensions import db
from src.pricing import comparison, repository
from src.pricing.comparison import ProviderState
from src.pricing.fetching import FetchOutcome, fetch_providers
from src.pricing.models import ProviderStatus

log = logging.getLogger(__name__)
# huey's scheduler ticks once a minute: the interval is whole minutes.
TICK_S = 60


@dataclass(frozen=True)
class RefreshReport:
    """How a refresh went: each provider's state afterwards and this refresh's outcome
    (ok, partial, failed, paused)."""

    states: dict[str, ProviderState]
    outcomes: dict[str, str]

    @property
    def any_answered(self) -> bool:
        return any(outcome in ("ok", "partial") for outcome in self.outcomes.values())


def refresh_interval_s(refresh_s: float) -> int:
    """PRICE_REFRESH_S in whole minutes, at least one, as seconds."""
    return max(1, round(refresh_s / TICK_S)) * TICK_S


def interval_start(now: datetime, interval_s: int) -> datetime:
    """The start of the interval `now` falls in (intervals counted from the epoch, so every
    worker, on every host, computes the same one)."""
    seconds = int(now.timestamp()) // interval_s * interval_s
    return datetime.fromtimestamp(seconds, UTC)


def refresh_if_due() -> RefreshReport | None:
    """The periodic refresh: fetch and store, unless a refresh of this interval was already
    claimed (by this worker or another); None then."""
    now = utcnow()
    start = interval_start(now, refresh_interval_s(current_app.config["PRICE_REFRESH_S"]))
    claimed = repository.claim_interval(interval_start=start, claimed_at=now)
    db.session.commit()
    if not claimed:
        log.info("prices of this interval are already refreshed", extra={"interval": start})
        return None
    report = refresh_prices()
    log.info("prices refreshed", extra={"interval": start, "outcomes": report.outcomes})
    return report


def refresh_prices() -> RefreshReport:
    """Fetch both providers now and store what they sent."""
    config = current_app.config
    clients = [provider_client(provider) for provider in PROVIDERS]
    with outbound_call(config["PRICE_DEADLINE_S"]):
        outcomes = fetch_providers(
            clients=clients,
            deadline_s=config["PRICE_DEADLINE_S"],
            detail_concurrency=config["PRICE_DETAIL_CONCURRENCY"],
        )
    return store_outcomes(outcomes, now=utcnow())


def store_outcomes(outcomes: Iterable[FetchOutcome], *, now: datetime) -> RefreshReport:
    """Store the fetches, count their outcomes and bump the prices revision, in one
    transaction; a provider whose state changed is logged (once: the state is kept)."""
    results = {}
    for outcome in outcomes:
        repository.count_outcome(provider=outcome.provider, outcome=outcome.kind)
        results[outcome.provider] = outcome.kind
        if not outcome.paused:  # the breaker made no call: nothing was learned
            _record(outcome)
    states = {provider: _report_state(provider, now=now) for provider in PROVIDERS}
    repository.bump_revision()
    db.session.commit()
    return RefreshReport(states=states, outcomes=results)


def _record(outcome: FetchOutcome) -> None:
    """Every price seen into the history; the current offers and the status unless a fetch
    started later (by hand, at the same time) has already been stored."""
    repository.add_observations(movies=outcome.offers, observed_at=outcome.started_at)
    status = repository.lock_status(provider=outcome.provider)
    if status.last_attempt_at is not None and outcome.started_at < status.last_attempt_at:
        return
    status.last_attempt_at = outcome.started_at
    status.last_error = outcome.error[:500] if outcome.error else None
    if outcome.listed_ids is None:
        return
    # A movie whose record did not arrive this time keeps its last offer.
    keep = {movie.provider_movie_id for movie in outcome.offers} | outcome.unfinished_ids
    repository.keep_only_offers(provider=outcome.provider, provider_movie_ids=keep)
    repository.upsert_offers(movies=outcome.offers, fetched_at=outcome.started_at)
    status.last_success_at = outcome.started_at


def _report_state(provider: str, *, now: datetime) -> ProviderState:
    status = repository.lock_status(provider=provider)
    max_age_s = current_app.config["PRICE_MAX_AGE_S"]
    state = comparison.provider_state(status.last_success_at, now=now, max_age_s=max_age_s)
    if state.status != status.reported_status:
        _log_change(status, state)
        status.reported_status = state.status
    return state


def _log_change(status: ProviderStatus, state: ProviderState) -> None:
    fields = {
        "provider": status.provider,
        "status": state.status,
        "previous_status": status.reported_status,
        "last_success_at": status.last_success_at,
        "last_error": status.last_error,
    }
    level = logging.INFO if state.status == comparison.OK else logging.WARNING
    previous = status.reported_status or "unknown"
    log.log(
        level,
        "%s's prices turned %s (were %s)",
        status.provider,
        state.status,
        previous,
        extra=fields,
    )
