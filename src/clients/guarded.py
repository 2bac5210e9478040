"""A circuit breaker around an outbound call without serialising the calls.

pybreaker's `CircuitBreaker.call` holds the breaker's lock for the whole guarded call,
so every call through one breaker waits for the one before it: four threads of a
gunicorn worker calling a slow upstream would answer one after the other, far past
their deadlines. Here the upstream is called outside the lock while the breaker is
closed, and only the outcome goes through `breaker.call` (to count it). An open
breaker still fails fast, and a half-open one still lets one trial call at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn, TypeVar

import pybreaker

from src.metrics import UPSTREAM_CALLS

T = TypeVar("T")


def call_guarded(
    breaker: pybreaker.CircuitBreaker,
    call: Callable[[], T],
    *,
    failures: tuple[type[Exception], ...],
) -> T:
    """Run `call` under the breaker's rules; only `failures` count against the upstream.

    Raises pybreaker.CircuitBreakerError when the breaker is open (or this failure opened it).
    """
    outcome = UPSTREAM_CALLS.labels(breaker.name or "upstream", "failure")
    if breaker.current_state != pybreaker.STATE_CLOSED:
        return _through_the_breaker(breaker, call, failures)
    try:
        result = call()
    except failures as error:
        outcome.inc()
        breaker.call(_raise, error)  # counted; may open the breaker
        raise  # not reached: breaker.call re-raises the error or a CircuitBreakerError
    UPSTREAM_CALLS.labels(breaker.name or "upstream", "ok").inc()
    try:
        breaker.call(_succeed)  # resets the failure count
    except pybreaker.CircuitBreakerError:
        pass  # other calls opened the breaker meanwhile; this answer is still good
    return result


def _through_the_breaker(
    breaker: pybreaker.CircuitBreaker,
    call: Callable[[], T],
    failures: tuple[type[Exception], ...],
) -> T:
    """Open: refused at once. Half-open: one trial call at a time, as pybreaker does."""
    name = breaker.name or "upstream"
    try:
        result = breaker.call(call)
    except pybreaker.CircuitBreakerError:
        UPSTREAM_CALLS.labels(name, "rejected").inc()
        raise
    except failures:
        UPSTREAM_CALLS.labels(name, "failure").inc()
        raise
    UPSTREAM_CALLS.labels(name, "ok").inc()
    return result


def _raise(error: Exception) -> NoReturn:
    raise error


def _succeed() -> None:
    return None
