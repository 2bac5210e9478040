"""call_guarded: pybreaker's rules without holding its lock during the call."""

import threading
import time

import pybreaker
import pytest

from src.clients.guarded import call_guarded


class Flaky(Exception):
    pass


def _fail():
    raise Flaky("upstream down")


def _breaker(**options):
    return pybreaker.CircuitBreaker(**{"fail_max": 2, "reset_timeout": 0.2, **options})


def test_concurrent_calls_run_side_by_side():
    breaker = _breaker()
    threads = [
        threading.Thread(
            target=call_guarded,
            args=(breaker, lambda: time.sleep(0.5)),
            kwargs={"failures": (Flaky,)},
        )
        for _ in range(4)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert time.monotonic() - started < 1.5  # one after the other would take 2 s


def test_failures_open_the_breaker_and_it_then_fails_fast():
    breaker = _breaker()
    with pytest.raises(Flaky):
        call_guarded(breaker, _fail, failures=(Flaky,))
    with pytest.raises(pybreaker.CircuitBreakerError):
        call_guarded(breaker, _fail, failures=(Flaky,))  # the second failure opens it
    calls = []
    with pytest.raises(pybreaker.CircuitBreakerError):
        call_guarded(breaker, lambda: calls.append(1), failures=(Flaky,))
    assert calls == []
    assert breaker.current_state == pybreaker.STATE_OPEN


def test_after_the_reset_timeout_one_good_call_closes_it():
    breaker = _breaker()
    for _ in range(2):
        with pytest.raises((Flaky, pybreaker.CircuitBreakerError)):
            call_guarded(breaker, _fail, failures=(Flaky,))
    time.sleep(0.25)
    assert call_guarded(breaker, lambda: "answer", failures=(Flaky,)) == "answer"
    assert breaker.current_state == pybreaker.STATE_CLOSED


def test_a_success_resets_the_failure_count():
    breaker = _breaker()
    with pytest.raises(Flaky):
        call_guarded(breaker, _fail, failures=(Flaky,))
    call_guarded(breaker, lambda: None, failures=(Flaky,))
    with pytest.raises(Flaky):
        call_guarded(breaker, _fail, failures=(Flaky,))
    assert breaker.current_state == pybreaker.STATE_CLOSED


def test_other_errors_pass_through_uncounted():
    breaker = _breaker()
    for _ in range(3):
        with pytest.raises(KeyError):
            call_guarded(breaker, lambda: {}["missing"], failures=(Flaky,))
    assert breaker.current_state == pybreaker.STATE_CLOSED
    assert breaker.fail_counter == 0
