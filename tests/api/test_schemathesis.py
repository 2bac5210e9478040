"""Property-based tests over the OpenAPI spec (schemathesis): every operation, every check
(positive_data_acceptance included), the coverage phase's boundary cases and fuzzing, each with
positive and negative data, as an admin, as a user and without a token. No answer may be a
5xx, and every answer must be what the spec says. Excused are only the rules OpenAPI 3.0
cannot express, each named below."""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from src import create_app
from src.accounts.auth import REFRESH_TOKEN_SCHEME
from tests.conftest import PASSWORD, bearer, settings_for_tests

FUZZED_PER_OPERATION = 15  # and the coverage phase's boundary cases, a few dozen at most
IDENTITIES = ("admin", "user", "anonymous")
USERNAMES = {"admin": "fuzz-admin", "user": "fuzz-user"}
# These end the caller's session (or change its password): each call gets a login of its own.
SESSION_ENDING = {"POST /logout/", "POST /logout/all/", "POST /password/"}
EXPORT_DEFAULT_WINDOW = timedelta(hours=24)
EXPORT_MAX_WINDOW = timedelta(days=366)
BOTH_MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
SCHEMATHESIS_CONFIG = {
    "checks": {"enabled": True},
    # The token is the identity's, set on every case; missing tokens are `ignored_auth`'s.
    "generation": {"deterministic": True, "database": "none", "with-security-parameters": False},
    "seed": 20261121,
}


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def _unstorable(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _has_unstorable_text(case: Any) -> bool:
    # The service refuses NUL and unpaired surrogates in any text (no database stores them).
    # OpenAPI 3.0 cannot say it for every string at once, and ECMA 262 patterns (no `u`
    # flag) see UTF-16 code units, so no pattern tells a paired surrogate from a lone one.
    parts = (case.body, case.query, case.path_parameters)
    return any(_unstorable(text) for part in parts for text in _texts(part))


def _repeats_a_collection_movie(case: Any) -> bool:
    # Each uuid at most once in a collection: `uniqueItems` compares whole items, and
    # OpenAPI 3.0 has no "unique by one property".
    if not case.operation.path.startswith("/collection/") or not isinstance(case.body, dict):
        return False
    movies = case.body.get("movies")
    if not isinstance(movies, list):
        return False
    uuids = [movie.get("uuid") for movie in movies if isinstance(movie, dict)]
    return any(count > 1 for count in Counter(u for u in uuids if isinstance(u, str)).values())


def _expiry_range_reversed(case: Any) -> bool:
    # `from` must not be after `to`: OpenAPI 3.0 cannot relate two parameters.
    if case.operation.path != "/catalog/movies/expired/" or not isinstance(case.query, dict):
        return False
    start, end = case.query.get("from"), case.query.get("to")
    return isinstance(start, str) and isinstance(end, str) and start > end


def _carries_a_cursor(case: Any) -> bool:
    # A cursor is opaque: only one the service made, for these filters and this sort, is
    # valid, and never with a page other than 1; no schema can say which strings those are.
    if case.operation.path != "/catalog/movies/" or not isinstance(case.query, dict):
        return False
    return "cursor" in case.query


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        if len(value) == len("2026-11-21"):
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def _export_window_out_of_bounds(case: Any) -> bool:
    # The window [since, until): since before until, at most 366 days, until not in the future,
    # and the default since (24 hours before until) on the calendar. OpenAPI 3.0 relates
    # neither two fields nor a field and the clock. Only well-formed instants are excused:
    # a `since` or `until` that is not one must be refused by the spec's own format.
    if case.operation.label != "POST /exports/" or not isinstance(case.body, dict):
        return False
    since, until = (case.body.get(name) for name in ("since", "until"))
    start, end = _instant(since), _instant(until) or datetime.now(UTC)
    if (since is not None and start is None) or (until is not None and _instant(until) is None):
        return False
    try:
        start = start or end - EXPORT_DEFAULT_WINDOW
    except OverflowError:
        return True
    return start >= end or end > datetime.now(UTC) or end - start > EXPORT_MAX_WINDOW


INEXPRESSIBLE_IN_OPENAPI = (
    _has_unstorable_text,
    _repeats_a_collection_movie,
    _expiry_range_reversed,
    _export_window_out_of_bounds,
    _carries_a_cursor,
)


def _operation_labels() -> list[str]:
    # The spec does not depend on the database, so an app that never connects lists it.
    with tempfile.TemporaryDirectory() as instance:
        spec_app = create_app(settings_for_tests(f"sqlite:///{instance}/spec.db", instance))
        schema = schemathesis.openapi.from_wsgi("/openapi.json", spec_app)
        return [result.ok().label for result in schema.get_all_operations()]


class Sessions:
    """Tokens of each identity; a fresh login where a call ends the session or takes the
    refresh token (refresh tokens are single use)."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.tokens = {identity: self.login(identity) for identity in USERNAMES}

    def login(self, identity: str) -> dict[str, str]:
        credentials = {"username": USERNAMES[identity], "password": PASSWORD}
        response = self.client.post("/login/", json=credentials)
        assert response.status_code == 200, response.json
        return dict(response.json)

    def headers(self, identity: str, case: Any) -> dict[str, str]:
        if identity == "anonymous":
            return {}
        takes_refresh = {REFRESH_TOKEN_SCHEME: []} in case.operation.definition.raw.get(
            "security", []
        )
        tokens = self.tokens[identity]
        if takes_refresh or case.operation.label in SESSION_ENDING:
            tokens = self.login(identity)
        return bearer(tokens["refresh_token" if takes_refresh else "access_token"])


@pytest.fixture(scope="module")
def sessions(isolated_app: Flask) -> Sessions:
    # The app's own database, committed for real: price refreshes store from other threads.
    runner = isolated_app.test_cli_runner()
    runner.invoke(args=["create-admin", "--username", USERNAMES["admin"], "--password", PASSWORD])
    client = isolated_app.test_client()
    client.post("/register/", json={"username": USERNAMES["user"], "password": PASSWORD})
    return Sessions(isolated_app)


@pytest.fixture(scope="module")
def api_schema(isolated_app: Flask) -> Any:
    config = SchemathesisConfig.from_dict(SCHEMATHESIS_CONFIG)
    return schemathesis.openapi.from_wsgi("/openapi.json", isolated_app, config=config)


def _call_and_validate(case: Any, headers: dict[str, str]) -> None:
    excused = [rule for rule in INEXPRESSIBLE_IN_OPENAPI if rule(case)]
    case.call_and_validate(
        headers=headers, excluded_checks=[positive_data_acceptance] if excused else []
    )


def _coverage_cases(schema: Any, operation: Any) -> Iterator[Any]:
    """The coverage phase: each constraint's boundaries, just inside and just outside."""
    generation = schema.config.generation_for(operation=operation, phase="coverage")
    return schema.iter_coverage_cases(
        operation, generation_modes=BOTH_MODES, generation_config=generation
    )


@pytest.mark.parametrize("identity", IDENTITIES)
@pytest.mark.parametrize("label", _operation_labels())
def test_operation_answers_what_the_spec_says(api_schema, sessions, identity, label):
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]
    failures = []
    for case in _coverage_cases(api_schema, operation):
        try:
            _call_and_validate(case, sessions.headers(identity, case))
        except (AssertionError, BaseExceptionGroup) as failure:  # each check's; all reported
            failures.append(f"{case.as_curl_command()}\n{failure}")
    assert not failures, "\n\n".join(failures)

    fuzzed = st.one_of(*(operation.as_strategy(generation_mode=mode) for mode in BOTH_MODES))

    @given(case=fuzzed)
    @settings(
        max_examples=FUZZED_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        _call_and_validate(case, sessions.headers(identity, case))

    fuzz()
