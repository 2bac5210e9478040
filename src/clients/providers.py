"""The cinemaworld and filmworld APIs: list, details and posting a movie.

The access token goes in the `x-access-token` header of each call, never into a policy,
a URL, an error or a log line. Transport trouble becomes a domain error from src/errors.py.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

import pybreaker
import requests
from flask import current_app

from src.clients.outbound import (
    DeadlineExceeded,
    UpstreamPolicy,
    call_timeout,
    guarded,
    session_for,
    timed_out,
)
from src.clients.provider_records import (
    PROVIDER_PREFIXES,
    MalformedRecord,
    MovieSummary,
    ProviderMovie,
    read_movie,
    read_summary,
)
from src.errors import (
    AppError,
    Conflict,
    UpstreamBadGateway,
    UpstreamTimeout,
    UpstreamUnavailable,
    ValidationFailed,
)

PROVIDERS = tuple(sorted(PROVIDER_PREFIXES))
TOKEN_HEADER = "x-access-token"  # noqa: S105 (a header name, not a secret)
# Statuses the callers answer themselves: gone (404), duplicate (409), refused (400, 422).
_ANSWERED_STATUSES = {400, 404, 409, 422}
log = logging.getLogger(__name__)


class CircuitOpen(UpstreamUnavailable):
    """The provider's circuit breaker is open: no call was made."""


class _ServerError(Exception):
    """A 5xx after the retries: counts against the provider's circuit breaker."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


_TRANSPORT_ERRORS = (
    DeadlineExceeded,
    pybreaker.CircuitBreakerError,
    _ServerError,
    requests.RequestException,
)


def provider_policy(
    provider: str, *, concurrency: int, read_timeout_s: float = 2.0
) -> UpstreamPolicy:
    """How a provider is called: short tries, two retries on GET, a breaker per process."""
    return UpstreamPolicy(
        name=f"provider-{provider}",
        connect_timeout_s=0.5,
        read_timeout_s=read_timeout_s,
        retries=2,
        backoff_factor=0.05,
        pool_maxsize=max(16, concurrency + 2),
        breaker_fail_max=5,
        breaker_reset_s=10.0,
    )


class ProviderClient:
    """One provider's API; safe to share between threads."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        token: str,
        concurrency: int,
        read_timeout_s: float = 2.0,
    ) -> None:
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.policy = provider_policy(
            provider, concurrency=concurrency, read_timeout_s=read_timeout_s
        )
        self._token = token

    def __repr__(self) -> str:
        return f"ProviderClient({self.provider!r}, {self.base_url!r})"

    def list_movies(self) -> list[MovieSummary]:
        """Every movie the provider lists; malformed entries skipped and logged."""
        payload = self._json(self._send("GET", "/movies"))
        entries = payload.get("Movies") if isinstance(payload, dict) else None
        if not isinstance(entries, list):
            raise UpstreamBadGateway(f"{self.provider} sent a movie list we cannot read.")
        return [summary for raw in entries if (summary := self._summary(raw)) is not None]

    def movie(self, provider_movie_id: str) -> ProviderMovie | None:
        """The movie's full record; None when it is gone or malformed (logged)."""
        response = self._send("GET", f"/movies/{provider_movie_id}")
        if response.status_code == 404:
            log.info("%s no longer has %s", self.provider, provider_movie_id)
            return None
        try:
            movie = read_movie(self.provider, self._json(response))
            if movie.provider_movie_id != provider_movie_id:
                raise MalformedRecord("the record's ID is not the one asked for")
        except MalformedRecord as exc:
            self._skipped(provider_movie_id, exc)
            return None
        return movie

    def add_movie(self, record: dict[str, str]) -> ProviderMovie:
        """Post a movie in the provider's record shape; the record as the provider stored it."""
        response = self._send("POST", "/movie", json=record)
        if response.status_code == 409:
            raise Conflict(f"{self.provider} already has a movie with this id.")
        if response.status_code in {400, 422}:
            raise ValidationFailed(f"{self.provider} refused the movie: {_detail(response)}")
        try:
            return read_movie(self.provider, self._json(response))
        except MalformedRecord as exc:
            raise UpstreamBadGateway(f"{self.provider} stored a record we cannot read.") from exc

    def _summary(self, raw: object) -> MovieSummary | None:
        try:
            return read_summary(self.provider, raw)
        except MalformedRecord as exc:
            movie_id = raw.get("ID") if isinstance(raw, dict) else None
            self._skipped(movie_id, exc)
            return None

    def _skipped(self, provider_movie_id: object, reason: MalformedRecord) -> None:
        log.warning(
            "skipped a malformed record from %s: %s",
            self.provider,
            reason,
            extra={"provider": self.provider, "provider_movie_id": repr(provider_movie_id)[:40]},
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            timeout = call_timeout(self.policy)  # out of time before calling: not its failure
            with guarded(self.policy):
                response = self._request(method, path, timeout=timeout, **kwargs)
        except _TRANSPORT_ERRORS as exc:
            raise _domain_error(self.provider, exc) from None
        if response.status_code in {401, 403}:
            raise UpstreamBadGateway(f"{self.provider} refused our access token.")
        if response.status_code >= 400 and response.status_code not in _ANSWERED_STATUSES:
            raise UpstreamBadGateway(f"{self.provider} answered HTTP {response.status_code}.")
        return response

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = session_for(self.policy).request(
            method, f"{self.base_url}{path}", headers={TOKEN_HEADER: self._token}, **kwargs
        )
        if response.status_code >= 500:
            raise _ServerError(response.status_code)
        return response

    def _json(self, response: requests.Response) -> Any:
        try:
            return json.loads(response.content, parse_float=Decimal)
        except ValueError:
            raise UpstreamBadGateway(f"{self.provider} sent a body that is not JSON.") from None


def _domain_error(provider: str, exc: Exception) -> AppError:
    """The domain error for a failed call; its message names no URL and no header."""
    if isinstance(exc, pybreaker.CircuitBreakerError):
        return CircuitOpen(f"{provider} is failing; calls to it are paused.", retry_after=10)
    if isinstance(exc, _ServerError):
        return UpstreamBadGateway(f"{provider} answered HTTP {exc.status}.")
    if timed_out(exc):
        return UpstreamTimeout(f"{provider} did not answer in time.")
    if isinstance(exc, requests.ConnectionError):
        return UpstreamUnavailable(f"{provider} cannot be reached.", retry_after=5)
    return UpstreamBadGateway(f"{provider} sent an answer we cannot read.")


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail)[:200] if detail else f"HTTP {response.status_code}"


def provider_client(provider: str) -> ProviderClient:
    """The client of a provider as the current app configures it."""
    config = current_app.config
    return ProviderClient(
        provider=provider,
        base_url=config[f"{provider.upper()}_URL"],
        token=config["PROVIDER_API_TOKEN"],
        concurrency=config["PRICE_DETAIL_CONCURRENCY"],
        read_timeout_s=config["PRICE_FETCH_TIMEOUT_S"],
    )
