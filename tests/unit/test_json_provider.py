"""Answers dumped by orjson read exactly as the standard library's provider wrote them."""

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from src.json_provider import OrjsonProvider


@dataclasses.dataclass
class Offer:
    provider: str
    price: Decimal


SAMPLE = {
    "price": Decimal("12.50"),
    "cents": Decimal("0.10"),
    "at": datetime(2026, 12, 1, 9, 30, 5, tzinfo=UTC),
    "naive": datetime(2026, 12, 1, 9, 30, 5, 123456),
    "day": date(2026, 12, 1),
    "uuid": uuid.UUID("e1d02e7b-ab77-5cba-9d9b-5c3e23df7e99"),
    "offer": Offer("filmworld", Decimal("29.50")),
    "errors": {"movies": {0: {"uuid": ["Not a valid UUID."]}}},  # marshmallow's int keys
    "text": "Amélie \u2028 <b>",
    "big": 2**70,  # beyond orjson: the standard library's encoder takes over
    "z_then_a": {"z": 1, "a": 2},
}


def _both():
    app = Flask(__name__)
    standard = DefaultJSONProvider(app)
    standard.sort_keys = False
    return OrjsonProvider(app), standard, app


def test_every_value_reads_as_the_standard_provider_wrote_it():
    fast, standard, _ = _both()
    assert json.loads(fast.dumps(SAMPLE)) == json.loads(standard.dumps(SAMPLE))


def test_decimals_stay_strings_and_dates_http_dates():
    fast, _, _ = _both()
    decoded = json.loads(fast.dumps(SAMPLE))
    assert decoded["price"] == "12.50"
    assert decoded["offer"] == {"provider": "filmworld", "price": "29.50"}
    assert decoded["at"] == "Tue, 01 Dec 2026 09:30:05 GMT"
    assert decoded["day"] == "Tue, 01 Dec 2026 00:00:00 GMT"
    assert decoded["uuid"] == "e1d02e7b-ab77-5cba-9d9b-5c3e23df7e99"


def test_keys_keep_their_order():
    fast, _, _ = _both()
    assert list(json.loads(fast.dumps(SAMPLE))["z_then_a"]) == ["z", "a"]


def test_a_response_is_compact_json_with_a_newline():
    fast, standard, app = _both()
    with app.app_context():
        answer = fast.response({"status": "ok"})
        expected = standard.response({"status": "ok"})
    assert answer.mimetype == "application/json"
    assert answer.get_data() == expected.get_data() == b'{"status":"ok"}\n'
