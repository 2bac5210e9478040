"""Reads on a connection of their own (src/direct_reads.py), on Postgres: the engine's
statement timeout holds there, a failure is SQLAlchemy's error naming no parameter, the
connection it failed on still answers, and columns come back as the session gives them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, String, bindparam, cast, event, func, literal, select
from sqlalchemy.exc import OperationalError

from src import create_app
from src.columns import UtcDateTime
from src.direct_reads import DirectReads, PreparedRead
from src.extensions import db
from tests.conftest import POSTGRES_URL, settings_for_tests

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="needs TEST_DATABASE_URL (Postgres)")
TIMEOUT_MS = 200
SECRET = "a-session-id-never-to-be-logged"
SETTING = PreparedRead("statement_timeout", select(func.current_setting("statement_timeout")))
ECHO = PreparedRead("echo", select(func.upper(bindparam("word", type_=String))))
SLEEP = PreparedRead(
    "sleep", select(func.pg_sleep(1).label("slept"), func.upper(bindparam("word", type_=String)))
)


@pytest.fixture
def engine(tmp_path) -> Iterator[Engine]:
    settings = settings_for_tests(POSTGRES_URL, str(tmp_path)) | {
        "DB_STATEMENT_TIMEOUT_MS": TIMEOUT_MS
    }
    app = create_app(settings)
    with app.app_context():
        yield db.engine
        db.engine.dispose()


def test_a_direct_read_has_the_engines_statement_timeout(engine):
    assert DirectReads(engine).first(SETTING, {}) == (f"{TIMEOUT_MS}ms",)


def test_a_direct_read_takes_its_parameters_by_name(engine):
    assert DirectReads(engine).first(ECHO, {"word": "heat", "unused": 1}) == ("HEAT",)


def test_a_read_over_the_timeout_is_an_error_naming_no_parameter(engine):
    reads = DirectReads(engine)
    with pytest.raises(OperationalError) as raised:
        reads.first(SLEEP, {"word": SECRET})
    assert SECRET not in str(raised.value)
    assert reads.first(ECHO, {"word": "still here"}) == ("STILL HERE",)


def _in_tokyo(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("SET TIME ZONE 'Asia/Tokyo'")  # the driver then gives times at +09:00
    cursor.close()
    dbapi_connection.commit()


def test_a_direct_read_gives_columns_as_the_session_does(engine):
    event.listen(engine, "connect", _in_tokyo)
    moment = datetime(2026, 12, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    read = PreparedRead("moment", select(cast(literal(moment, UtcDateTime), UtcDateTime)))
    [value] = DirectReads(engine).first(read, {})
    assert value == moment and value.tzinfo is UTC
