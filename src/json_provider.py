"""Flask's JSON provider with orjson's encoder: the answers read as they did with the standard
library's (dates as HTTP dates, Decimal and UUID as strings, keys in their order), at a
fraction of the cost. Request bodies are still parsed by the standard library: what it
accepts (lone surrogates, big integers) is refused by our own checks with clear 422s."""

from __future__ import annotations

import dataclasses
import decimal
import json
import uuid
from datetime import date
from typing import Any, cast

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.http import http_date

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    """What Flask's default provider makes of the types JSON lacks."""
    if isinstance(value, date):
        return http_date(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode(value: Any, *, sort_keys: bool = False) -> bytes:
    """Compact JSON of value, as UTF-8."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS | _sorted(sort_keys))
    except orjson.JSONEncodeError:  # beyond orjson (an integer over 64 bits): the stdlib's
        text = json.dumps(
            value, default=_default, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys
        )
        return text.encode()


def _sorted(sort_keys: bool) -> int:
    return orjson.OPT_SORT_KEYS if sort_keys else 0


class OrjsonProvider(DefaultJSONProvider):
    """Installed by create_app as `app.json`."""

    sort_keys = False  # keys in the order the schemas give them

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        if kwargs:  # options only the standard library knows
            return super().dumps(obj, **kwargs)
        return encode(obj, sort_keys=self.sort_keys).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = encode(self._prepare_response_obj(args, kwargs), sort_keys=self.sort_keys)
        response_class = cast(type[Response], self._app.response_class)
        return response_class(body + b"\n", mimetype=self.mimetype)
