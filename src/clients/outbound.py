"""Outbound HTTP shared by every upstream client: one pooled session per process and
upstream, urllib3 Retry bounded by the caller's overall deadline, and a circuit breaker.

Usage in a client:

    with outbound_deadline(5.0), guarded(POLICY):
        response = session_for(POLICY).get(url, timeout=call_timeout(POLICY))

Retries and their back-off never run past the deadline: each try's (connect, read)
timeouts are the policy's, cut to the time left when that try starts (urllib3's Retry would
otherwise give every try the timeouts of the first); once the deadline has passed, the Retry
counts as exhausted and the last error surfaces to the client, which turns it into a domain
error with `timed_out()` telling a timeout (504) from a refusal (503). The answer comes at
most DEADLINE_MARGIN_S after the deadline. Work in another thread must copy the context
(contextvars) to keep it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import pybreaker
import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from src.metrics import UPSTREAM_CALLS
from src.per_process import per_process

_deadline: ContextVar[float | None] = ContextVar("outbound_deadline", default=None)
# How late after its deadline an outbound call may end: the last try stops at the deadline,
# this covers the process's own work around it (scheduling, closing the connection).
DEADLINE_MARGIN_S = 0.25
# A retry starts only if, after its back-off, this long is left before the deadline: a
# shorter try would mostly time out, and the answer before it says more than a 504.
_SHORTEST_RETRY_S = 0.25


class DeadlineExceeded(RuntimeError):
    """The caller's overall deadline passed before the upstream answered."""


@contextmanager
def outbound_deadline(seconds: float) -> Iterator[None]:
    """Every outbound call in this block, retries included, ends within `seconds` (or the
    enclosing block's deadline, when that comes first: a nested block never extends it)."""
    deadline, enclosing = time.monotonic() + seconds, _deadline.get()
    token = _deadline.set(deadline if enclosing is None else min(deadline, enclosing))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining_s() -> float | None:
    """Seconds left before the current deadline, or None when there is none."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


@dataclass(frozen=True)
class UpstreamPolicy:
    """How one upstream is called: timeouts, retries, pool and circuit breaker."""

    name: str
    connect_timeout_s: float = 1.0
    read_timeout_s: float = 2.0
    retries: int = 3
    backoff_factor: float = 0.1
    backoff_jitter: float = 0.1
    backoff_max_s: float = 1.0
    retry_after_max_s: int = 2
    retry_statuses: Collection[int] = (429, 500, 502, 503, 504)
    retry_methods: Collection[str] = ("GET",)
    pool_maxsize: int = 16
    breaker_fail_max: int = 5
    breaker_reset_s: float = 15.0
    extra_headers: dict[str, str] = field(default_factory=dict)


def call_timeout(policy: UpstreamPolicy) -> tuple[float, float] | Timeout:
    """The (connect, read) timeouts of the call; under a deadline each try's, retries
    included, are cut to the time left when that try starts."""
    deadline = _deadline.get()
    if deadline is None:
        return policy.connect_timeout_s, policy.read_timeout_s
    if deadline - time.monotonic() <= 0:
        raise DeadlineExceeded(f"no time left to call {policy.name}")
    return DeadlineTimeout(
        connect_s=policy.connect_timeout_s, read_s=policy.read_timeout_s, deadline=deadline
    )


class DeadlineTimeout(Timeout):
    """urllib3 Timeout whose connect and read timeouts never reach past `deadline`
    (time.monotonic()). urllib3 clones the Timeout for every try and reads the connect
    timeout as the try starts and the read timeout once it has connected, so each try,
    a retry that starts late included, gets only the time left."""

    def __init__(self, *, connect_s: float, read_s: float, deadline: float) -> None:
        super().__init__(connect=connect_s, read=read_s)
        self.connect_s, self.read_s, self.deadline = connect_s, read_s, deadline

    def clone(self) -> DeadlineTimeout:
        return DeadlineTimeout(connect_s=self.connect_s, read_s=self.read_s, deadline=self.deadline)

    @property
    def connect_timeout(self) -> float:
        # Never 0: a socket timeout of 0 makes connect() non-blocking, which fails like a refusal.
        return max(0.001, min(self.connect_s, self.deadline - time.monotonic()))

    @property
    def read_timeout(self) -> float:
        return max(0.0, min(self.read_s, self.deadline - time.monotonic()))  # 0: urllib3 times out


def timed_out(error: BaseException) -> bool:
    """True when the upstream did not answer in time (504); False when it refused the
    connection, could not be reached, or failed otherwise (503)."""
    if isinstance(error, DeadlineExceeded):
        return True
    reason = _transport_reason(error)
    # urllib3's NewConnectionError (refused, unreachable, unknown host) subclasses its
    # ConnectTimeoutError, though nothing timed out.
    if isinstance(reason, NewConnectionError):
        return False
    return isinstance(error, requests.Timeout) or isinstance(reason, Urllib3Timeout)


def _transport_reason(error: BaseException) -> BaseException | None:
    """The urllib3 error behind a requests error, through the MaxRetryError of the retries."""
    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return reason if isinstance(reason, BaseException) else None


class DeadlineRetry(Retry):
    """urllib3 Retry that gives up when a retry would have less than _SHORTEST_RETRY_S
    before the caller's deadline, and never sleeps past it."""

    def is_exhausted(self) -> bool:
        left = remaining_s()
        if left is None:
            return super().is_exhausted()
        pause = super().get_backoff_time()  # as the sleep would be before it is capped
        return super().is_exhausted() or left - pause < _SHORTEST_RETRY_S

    def get_backoff_time(self) -> float:
        return _capped(super().get_backoff_time())

    def get_retry_after(self, response: Any) -> float | None:
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else _capped(retry_after)


def _capped(seconds: float) -> float:
    left = remaining_s()
    return seconds if left is None else max(0.0, min(seconds, left - _SHORTEST_RETRY_S))


@dataclass
class _UpstreamState:
    """This process's pooled sessions and circuit breakers, by upstream name."""

    sessions: dict[str, requests.Session] = field(default_factory=dict)
    breakers: dict[str, pybreaker.CircuitBreaker] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_upstream_state = per_process(_UpstreamState)


def _new_session(policy: UpstreamPolicy) -> requests.Session:
    retry = DeadlineRetry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        allowed_methods=frozenset(policy.retry_methods),
        status_forcelist=frozenset(policy.retry_statuses),
        backoff_factor=policy.backoff_factor,
        backoff_jitter=policy.backoff_jitter,
        backoff_max=policy.backoff_max_s,
        retry_after_max=policy.retry_after_max_s,
        raise_on_status=False,
    )
    adapter = HTTPAdapter(max_retries=retry, pool_connections=1, pool_maxsize=policy.pool_maxsize)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"Accept": "application/json", **policy.extra_headers})
    return session


def session_for(policy: UpstreamPolicy) -> requests.Session:
    """The pooled session of this process for this upstream (made on first use)."""
    state = _upstream_state.get()
    with state.lock:
        sessions = state.sessions
        if policy.name not in sessions:
            sessions[policy.name] = _new_session(policy)
        return sessions[policy.name]


def breaker_for(policy: UpstreamPolicy) -> pybreaker.CircuitBreaker:
    """The circuit breaker of this process for this upstream."""
    state = _upstream_state.get()
    with state.lock:
        breakers = state.breakers
        if policy.name not in breakers:
            breakers[policy.name] = pybreaker.CircuitBreaker(
                fail_max=policy.breaker_fail_max,
                reset_timeout=policy.breaker_reset_s,
                name=policy.name,
            )
        return breakers[policy.name]


@contextmanager
def guarded(policy: UpstreamPolicy) -> Iterator[None]:
    """Run the block (one upstream call) under the upstream's circuit breaker.

    An open breaker refuses at once (pybreaker.CircuitBreakerError); any error the block
    raises counts against the upstream. pybreaker's `call()` would hold the breaker's lock
    for the whole call and so let one call at a time through; `calling()` only takes it to
    decide and to count. Outcomes are counted in the upstream_calls_total metric.
    """
    breaker = breaker_for(policy)
    outcome = "rejected" if breaker.current_state == pybreaker.STATE_OPEN else "failure"
    try:
        with breaker.calling():
            yield
        outcome = "ok"
    finally:
        UPSTREAM_CALLS.labels(policy.name, outcome).inc()


def reset_upstream_state() -> None:
    """Forget every session and breaker of this process (tests, config reloads)."""
    _upstream_state.reset()
