"""The providers' access token never appears in a response, a header, an error or a log."""

import logging

import pytest

from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.prices.conftest import run_refresh
from tests.support.simulator import free_port

MOVIE = {"title": "Heat", "year": 1995, "price": "12.50"}
POST_PATH = "/prices/providers/filmworld/movies/"


@pytest.fixture
def everything_logged(prices, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)  # urllib3 and the rest through the root logger
    monkeypatch.setitem(prices.config, "ACCESS_LOG", True)
    monkeypatch.setattr(logging.getLogger("src"), "level", logging.DEBUG)  # to stderr


def assert_secret_kept(secret, responses, capsys, caplog):
    logs = capsys.readouterr().err + caplog.text
    assert "filmworld" in logs and "urllib3" in caplog.text  # the logs were captured
    assert secret not in logs
    for response in responses:
        assert secret not in response.get_data(as_text=True), response.request.path
        assert secret not in str(response.headers)


def test_the_token_is_kept_through_successes_and_every_kind_of_failure(
    prices,
    prices_client,
    reader,
    admin,
    on_own_simulator,
    everything_logged,
    monkeypatch,
    capsys,
    caplog,
):
    simulator = on_own_simulator
    monkeypatch.setitem(prices.config, "PRICE_DEADLINE_S", 0.5)
    monkeypatch.setitem(prices.config, "PRICE_FETCH_TIMEOUT_S", 0.5)
    get, post = prices_client.get, prices_client.post
    responses = []
    simulator.set_faults("cinemaworld", error_rate=1.0)
    simulator.set_faults("filmworld", error_rate=1.0)
    run_refresh(prices)  # fails, and logs it
    responses += [get("/prices/movies/", headers=reader), get("/")]  # 503 from cold
    responses.append(post(POST_PATH, json=MOVIE, headers=admin))  # 502
    simulator.reset_faults()
    run_refresh(prices)
    responses += [
        get("/prices/movies/", headers=reader),
        get("/prices/movies/0076759/", headers=reader),
    ]
    responses += [get("/"), get("/films/0076759"), get("/openapi.json")]
    responses.append(post(POST_PATH, json=MOVIE, headers=admin))  # 201
    responses.append(post(POST_PATH, json={**MOVIE, "price": 1.5}, headers=admin))  # 422
    simulator.set_faults("filmworld", hang=True)
    run_refresh(prices)  # filmworld times out
    responses += [get("/prices/movies/", headers=reader), get("/")]  # its offers still served
    responses.append(post(POST_PATH, json=MOVIE, headers=admin))  # 504
    monkeypatch.setitem(prices.config, "FILMWORLD_URL", f"http://127.0.0.1:{free_port()}/x")
    responses.append(post(POST_PATH, json=MOVIE, headers=admin))  # 503
    statuses = {response.status_code for response in responses}
    assert statuses == {200, 201, 422, 502, 503, 504}
    assert_secret_kept(SIMULATOR_PROVIDER_TOKEN, responses, capsys, caplog)


def test_a_token_the_provider_refuses_is_not_echoed(
    prices, prices_client, reader, admin, everything_logged, monkeypatch, capsys, caplog
):
    refused = "refused-token-5d2e81"
    monkeypatch.setitem(prices.config, "PROVIDER_API_TOKEN", refused)
    assert not run_refresh(prices).any_answered
    responses = [
        prices_client.get("/prices/movies/", headers=reader),
        prices_client.post(POST_PATH, json=MOVIE, headers=admin),
    ]
    assert [response.status_code for response in responses] == [503, 502]
    assert responses[1].json["detail"] == "filmworld refused our access token."
    assert_secret_kept(refused, responses, capsys, caplog)
