"""The shared outbound HTTP layer over real HTTP to the simulator."""

import time

import pytest
import requests

from src.clients.outbound import (
    DEADLINE_MARGIN_S,
    DeadlineExceeded,
    UpstreamPolicy,
    call_timeout,
    outbound_deadline,
    remaining_s,
    reset_upstream_state,
    session_for,
    timed_out,
)
from tests.support.simulator import running_simulator

TOKEN = {"x-access-token": "dev-provider-token"}
POLICY = UpstreamPolicy(
    name="test-cinemaworld", retries=6, backoff_factor=0.01, read_timeout_s=0.5, extra_headers=TOKEN
)
ONE_SECOND_TRIES = UpstreamPolicy(
    name="test-one-second-tries", retries=3, read_timeout_s=1.0, extra_headers=TOKEN
)


@pytest.fixture(scope="module")
def simulator():
    with running_simulator(env={"SIM_SEED": "7", "PROVIDER_API_TOKEN": None}) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_state(simulator):
    reset_upstream_state()
    yield
    simulator.reset_faults()


def _list(simulator, policy=POLICY):
    url = f"{simulator.url}/api/cinemaworld/movies"
    return session_for(policy).get(url, timeout=call_timeout(policy))


def test_retries_win_over_a_half_failing_upstream(simulator):
    simulator.set_faults("cinemaworld", error_rate=0.5)
    statuses = [_list(simulator).status_code for _ in range(20)]
    assert statuses == [200] * 20


def test_a_failing_upstream_answers_its_last_error_by_the_deadline(simulator):
    simulator.set_faults("cinemaworld", error_rate=1.0, latency_ms=100)
    started = time.monotonic()
    with outbound_deadline(0.6):
        response = _list(simulator)
    assert response.status_code in {500, 502, 503}
    assert time.monotonic() - started < 1.5  # six tries at 100 ms each would take longer


def test_a_hanging_upstream_times_out_by_the_deadline(simulator):
    simulator.set_faults("cinemaworld", hang=True)
    started = time.monotonic()
    with outbound_deadline(0.4), pytest.raises(requests.exceptions.RequestException):
        _list(simulator)
    assert time.monotonic() - started < 3.0  # the hang itself would last 60 s


def test_a_retry_gets_only_the_time_left_before_the_deadline(simulator):
    # The first try waits its full 1 s; the second must stop at the deadline, 0.5 s later.
    simulator.set_faults("cinemaworld", hang=True)
    started = time.monotonic()
    with outbound_deadline(1.5), pytest.raises(requests.exceptions.RequestException) as raised:
        _list(simulator, ONE_SECOND_TRIES)
    assert time.monotonic() - started < 1.5 + DEADLINE_MARGIN_S
    assert timed_out(raised.value)


def test_no_call_starts_after_the_deadline(simulator):
    with outbound_deadline(0.0), pytest.raises(DeadlineExceeded):
        _list(simulator)


def test_one_session_per_process_and_upstream():
    assert session_for(POLICY) is session_for(POLICY)
    other = UpstreamPolicy(name="test-filmworld")
    assert session_for(other) is not session_for(POLICY)


def test_a_nested_deadline_never_extends_the_enclosing_one():
    with outbound_deadline(1.0):
        with outbound_deadline(60.0):
            left = remaining_s()
        assert left is not None and left <= 1.0
        with outbound_deadline(0.5):
            left = remaining_s()
        assert left is not None and left <= 0.5
    assert remaining_s() is None
