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
    if breaker.current_state != pybreaker.STATE_CLOSED:
        return breaker.call(call)
    try:
        result = call()
    except failures as error:
        breaker.call(_raise, error)  # counted; may open the breaker
        raise  # not reached: breaker.call re-raises the error or a CircuitBreakerError
    try:
        breaker.call(_succeed)  # resets the failure count
    except pybreaker.CircuitBreakerError:
        pass  # other calls opened the breaker meanwhile; this answer is still good
    return result


def _raise(error: Exception) -> NoReturn:
    raise error


def _succeed() -> None:
    return None
