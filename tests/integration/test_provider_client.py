"""A price provider's client when the provider refuses, never connects or hangs: the
domain error it raises, by the caller's deadline. Real HTTP to the simulator."""

import time

import pytest

from src.clients.outbound import outbound_deadline
from src.clients.providers import ProviderClient, provider_policy
from src.errors import UpstreamTimeout, UpstreamUnavailable
from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.support.ports import refused_url

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
