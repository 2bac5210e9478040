"""Malformed provider records are skipped and logged; the rest still count."""

import json

import pytest

from tests.conftest import SIMULATOR_PROVIDER_TOKEN
from tests.prices.conftest import point_at, run_refresh
from tests.support.simulator import running_simulator


def record(movie_id, title="A Film", year="2001", price="10.00", **more):
    fields = {"Title": title, "Year": year, "ID": movie_id, "Type": "movie", "Poster": "N/A"}
    if price is not None:
        fields["Price"] = price
    return {**fields, **more}


CINEMAWORLD = [
    record("cw0000001", title="Good Film", price="10.00"),
    record("cw0000002", price=None),  # no price at all
    record("cw0000003", price="ten"),  # not a number
    record("cw0000004", price="-1"),  # negative
    record("cw0000005", title=" "),  # no title
    record("cw0000006", price="123456789012"),  # over NUMERIC(10,2)
    record("cw0000007", title="Year Unknown", year="N/A", price="7.5"),  # kept, year null
    record("cw0000008", price="NaN"),
    record("cwABC", title="Bad Id"),  # listed, but not cw + digits
    record("fw0000009", title="Wrong Prefix"),
    record("cw0000010", price="1e3", Poster="javascript:alert(1)"),  # kept: 1000.00, no poster
]
FILMWORLD = [
    record("fw0000001", title="Good Film", price="9.99"),
    record("fw0000003", title="Only Here Well Formed", price="5.00"),
]
SKIPPED = {"cw0000002", "cw0000003", "cw0000004", "cw0000005", "cw0000006", "cw0000008"}


@pytest.fixture(scope="module")
def malformed_simulator(tmp_path_factory):
    folder = tmp_path_factory.mktemp("malformed-providers")
    for provider, records in (("cinemaworld", CINEMAWORLD), ("filmworld", FILMWORLD)):
        payload = json.dumps({"movies": records})
        (folder / f"{provider}.json").write_text(payload, encoding="utf-8")
    env = {"PROVIDER_API_TOKEN": SIMULATOR_PROVIDER_TOKEN, "SIM_PROVIDER_DATA_DIR": str(folder)}
    with running_simulator(env={**env, "SIM_FAULTS": None}) as running:
        yield running


@pytest.fixture
def on_malformed(prices, malformed_simulator, monkeypatch):
    point_at(prices, malformed_simulator, monkeypatch)
    return run_refresh(prices)


def test_good_records_count_and_malformed_ones_are_left_out(prices_client, reader, on_malformed):
    response = prices_client.get("/prices/movies/", headers=reader)
    assert response.status_code == 200
    movies = {movie["id"]: movie for movie in response.json["data"]}
    assert set(movies) == {"0000001", "0000003", "0000007", "0000010"}
    assert movies["0000001"]["cheapest"] == {"provider": "filmworld", "price": "9.99"}
    assert [o["provider"] for o in movies["0000003"]["offers"]] == ["filmworld"]
    assert movies["0000007"]["year"] is None
    assert movies["0000007"]["cheapest"]["price"] == "7.50"
    assert movies["0000010"]["cheapest"]["price"] == "1000.00"
    assert movies["0000010"]["poster"] is None
    assert {state["status"] for state in response.json["providers"].values()} == {"ok"}


def test_each_skipped_record_is_logged_with_the_reason(
    prices, malformed_simulator, monkeypatch, capsys
):
    point_at(prices, malformed_simulator, monkeypatch)
    run_refresh(prices)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    skipped = [line for line in lines if line["message"].startswith("skipped a malformed")]
    logged_ids = {line["provider_movie_id"].strip("'") for line in skipped}
    assert logged_ids >= SKIPPED | {"cwABC", "fw0000009"}
    reasons = {line["provider_movie_id"].strip("'"): line["message"] for line in skipped}
    assert reasons["cw0000002"].endswith("Price is missing or not a decimal string")
    assert reasons["cw0000006"].endswith("Price is over 99999999.99")
    assert reasons["cwABC"].endswith("ID is not cw followed by digits")
    assert all(line["level"] == "WARNING" for line in skipped)
