"""Reads on the app's direct connections (src/direct_reads.py), on Postgres: the engine's
statement timeout holds there, a failure is SQLAlchemy's error naming no parameter, the
connection it failed on still answers, and columns come back as the session gives them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import String, bindparam, cast, create_engine, func, literal, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import TypeDecorator

from src import create_app
from src.columns import UtcDateTime
from src.direct_connections import DirectConnection
from src.direct_reads import DirectReads, PreparedRead, direct_connections
from tests.conftest import POSTGRES_URL, settings_for_tests

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (Postgres)")
TIMEOUT_MS = 200
SECRET = "a-session-id-never-to-be-logged"
SETTING = PreparedRead("statement_timeout", select(func.current_setting("statement_timeout")))
ECHO = PreparedRead("echo", select(func.upper(bindparam("word", type_=String))))
BACKEND = PreparedRead("backend", select(func.pg_backend_pid()))
SLEEP = PreparedRead(
    "sleep", select(func.pg_sleep(1).label("slept"), func.upper(bindparam("word", type_=String)))
)


@pytest.fixture
def reads(tmp_path) -> Iterator[DirectReads]:
    settings = settings_for_tests(POSTGRES_URL, str(tmp_path)) | {
        "DB_STATEMENT_TIMEOUT_MS": TIMEOUT_MS
    }
    connections = direct_connections(create_app(settings))
    assert connections is not None
    yield DirectReads(connections)
    connections.close()


def test_a_direct_read_has_the_engines_statement_timeout(reads):
    assert reads.first(SETTING, {}) == (f"{TIMEOUT_MS}ms",)


def test_a_direct_read_takes_its_parameters_by_name(reads):
    assert reads.first(ECHO, {"word": "heat", "unused": 1}) == ("HEAT",)


def test_a_read_over_the_timeout_is_an_error_naming_no_parameter(reads):
    with pytest.raises(OperationalError) as raised:
        reads.first(SLEEP, {"word": SECRET})
    assert SECRET not in str(raised.value)
    assert reads.first(ECHO, {"word": "still here"}) == ("STILL HERE",)


class Bracketed(TypeDecorator[str]):
    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        return f"[{value}]"


def test_a_direct_read_gives_columns_as_the_session_does(reads):
    read = PreparedRead("bracketed", select(literal("heat", Bracketed())))
    assert reads.first(read, {}) == ("[heat]",)


def test_a_direct_read_gives_times_in_utc_whatever_the_servers_zone(reads, monkeypatch):
    monkeypatch.setenv("PGTZ", "Asia/Tokyo")  # libpq's: the server then gives times at +09:00
    moment = datetime(2026, 12, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    read = PreparedRead("moment", select(cast(literal(moment, UtcDateTime), UtcDateTime)))
    [value] = reads.first(read, {})
    assert value == moment and value.tzinfo is UTC


def _terminate(pid: int) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text(f"SELECT pg_terminate_backend({pid}, 5000)"))
    finally:
        engine.dispose()


def test_a_read_whose_connection_is_lost_as_it_runs_runs_once_more_on_a_new_one(reads, monkeypatch):
    [before] = reads.first(BACKEND, {})
    _terminate(before)
    # Lost after the check made before each statement (a restart at that very moment).
    monkeypatch.setattr(DirectConnection, "was_closed_by_server", lambda self: False)
    [after] = reads.first(BACKEND, {})
    assert after != before
