"""Verifying a bearer token once per request: HS256 only, signature, time claims, type.

Tokens are issued by flask-jwt-extended (src/accounts/service.py); verifying them is done here
in one pass, because its own path ran each token through PyJWT four times (headers and claims
unverified, then verified), each time checking the base64 character by character.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from typing import Any

import orjson

ALGORITHM = "HS256"
_SEGMENT = re.compile(rb"[A-Za-z0-9_-]+")


class TokenRefused(Exception):
    """The token cannot be used; `detail` is what the client is told."""

    detail = "The token is not valid."


class TokenExpired(TokenRefused):
    detail = "The token has expired; log in or refresh it."


def bearer_token(authorization: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None when no Bearer credential
    is given at all, TokenRefused when the Bearer credential is malformed."""
    credentials = [part for part in re.split(r",\s*", authorization.strip().strip(",")) if part]
    bearers = [part for part in credentials if part.split()[:1] == ["Bearer"]]
    if len(bearers) != 1:
        return None
    words = bearers[0].split()
    if len(words) != 2:
        raise TokenRefused
    return words[1]


def _decoded(segment: bytes) -> bytes:
    if not _SEGMENT.fullmatch(segment) or len(segment) % 4 == 1:
        raise TokenRefused
    try:
        return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenRefused from exc


def _json_object(segment: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(_decoded(segment))
    except orjson.JSONDecodeError as exc:
        raise TokenRefused from exc
    if not isinstance(value, dict):
        raise TokenRefused
    return value


def _signature(key: bytes, signing_input: bytes) -> bytes:
    digest = hmac.new(key, signing_input, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=")


def _time_claim(claims: Mapping[str, Any], name: str, *, required: bool = False) -> float | None:
    value = claims.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenRefused
    return float(value)


def _check_times(claims: Mapping[str, Any], now: float) -> None:
    expires = _time_claim(claims, "exp", required=True)
    if expires is not None and expires <= now:
        raise TokenExpired
    for not_before in (_time_claim(claims, "nbf"), _time_claim(claims, "iat")):
        if not_before is not None and not_before > now:
            raise TokenRefused


def verify(token: str, *, key: bytes, token_type: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a token signed with `key` (HS256) that has not expired and is of
    `token_type` ("access" or "refresh"), with a string subject; else TokenRefused."""
    try:
        encoded = token.encode("ascii")
    except UnicodeEncodeError as exc:
        raise TokenRefused from exc
    parts = encoded.split(b".")
    if len(parts) != 3:
        raise TokenRefused
    header = _json_object(parts[0])
    if header.get("alg") != ALGORITHM or "crit" in header:
        raise TokenRefused
    signature = _signature(key, parts[0] + b"." + parts[1])
    # The exact encoding we would have made: a second spelling of one signature is refused.
    if not hmac.compare_digest(signature, parts[2]):
        raise TokenRefused
    claims = _json_object(parts[1])
    _check_times(claims, time.time() if now is None else now)
    if claims.get("type", "access") != token_type or not isinstance(claims.get("sub"), str):
        raise TokenRefused
    return claims
