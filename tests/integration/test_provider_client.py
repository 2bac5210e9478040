"""A price provider's client when the provider refuses, never connects or hangs: the
domain error it raises, by the caller's deadline. Real HTTP to the simulator."""

import time

import pytest

from src.clients.outbound import DEADLINE_MARGIN_S, outbound_deadline
from src.clients.providers import ProviderClient, provider_policy
from src.errors import UpstreamTimeout, UpstreamUnavailable
from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.support.ports import refused_url, unanswered_url

pytestmark = pytest.mark.usefixtures("fresh_upstreams")
# Above a provider's 2 s read timeout, so that a second try is needed to use it all.
LONGER_THAN_ONE_TRY_S = provider_policy("filmworld", concurrency=1).read_timeout_s + 0.5


def _client(base_url):
    return ProviderClient(
        provider="filmworld", base_url=base_url, token=SIMULATOR_PROVIDER_TOKEN, concurrency=1
    )


def _list_within(client, seconds):
    started = time.monotonic()
    with outbound_deadline(seconds):
        try:
            client.list_movies()
        except (UpstreamTimeout, UpstreamUnavailable) as error:
            return error, time.monotonic() - started
    pytest.fail("the provider's list was expected to fail")


def test_a_refused_connection_is_unavailable_not_a_timeout():
    error, _ = _list_within(_client(refused_url("/api/filmworld")), 2.0)
    assert type(error) is UpstreamUnavailable
    assert (error.status, error.detail) == (503, "filmworld cannot be reached.")


def test_a_connection_that_never_completes_is_a_timeout_by_the_deadline():
    with unanswered_url("/api/filmworld") as url:
        error, elapsed = _list_within(_client(url), 1.2)
    assert isinstance(error, UpstreamTimeout)
    assert (error.status, error.detail) == (504, "filmworld did not answer in time.")
    assert elapsed < 1.2 + DEADLINE_MARGIN_S


def test_a_hanging_provider_is_a_timeout_by_the_deadline_though_a_retry_started(simulator):
    simulator.set_faults("filmworld", hang=True)
    error, elapsed = _list_within(_client(f"{simulator.url}/api/filmworld"), LONGER_THAN_ONE_TRY_S)
    assert isinstance(error, UpstreamTimeout)
    assert elapsed < LONGER_THAN_ONE_TRY_S + DEADLINE_MARGIN_S
