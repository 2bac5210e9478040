"""outbound.guarded: pybreaker's rules without holding its lock during the call."""

import threading
import time

import pybreaker
import pytest

from src.clients.outbound import UpstreamPolicy, guarded, reset_upstream_state


class Flaky(Exception):
    pass


@pytest.fixture
def policy():
    reset_upstream_state()
    yield UpstreamPolicy(name="unit-upstream", breaker_fail_max=2, breaker_reset_s=0.2)
    reset_upstream_state()


def _fail(policy):
    with guarded(policy):
        raise Flaky("upstream down")


def _wait(policy, seconds):
    with guarded(policy):
        time.sleep(seconds)


def test_concurrent_calls_run_side_by_side(policy):
    threads = [threading.Thread(target=_wait, args=(policy, 0.5)) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert time.monotonic() - started < 1.5  # one after the other would take 2 s


def test_failures_open_the_breaker_and_it_then_fails_fast(policy):
    with pytest.raises(Flaky):
        _fail(policy)
    with pytest.raises(pybreaker.CircuitBreakerError):
        _fail(policy)  # the second failure opens it
    calls = []
    with pytest.raises(pybreaker.CircuitBreakerError), guarded(policy):
        calls.append(1)
    assert calls == []


def test_after_the_reset_timeout_one_good_call_closes_it(policy):
    for _ in range(2):
        with pytest.raises((Flaky, pybreaker.CircuitBreakerError)):
            _fail(policy)
    time.sleep(0.25)
    _wait(policy, 0)
    with pytest.raises(Flaky):
        _fail(policy)  # closed again: a single failure does not reopen it


def test_a_success_resets_the_failure_count(policy):
    with pytest.raises(Flaky):
        _fail(policy)
    _wait(policy, 0)
    with pytest.raises(Flaky):
        _fail(policy)  # one failure since the success: still closed
