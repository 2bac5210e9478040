import pytest
from huey import RedisHuey, SqliteHuey

from config import ConfigError, settings_from_env
from src.worker.storage import huey_from_url


@pytest.mark.parametrize(
    ("raw", "expected"), [("02:00", (2, 0)), ("7:05", (7, 5)), ("23:59", (23, 59))]
)
def test_daily_export_time_is_read_as_utc_hour_and_minute(raw, expected):
    assert settings_from_env({"EXPORT_DAILY_AT": raw})["EXPORT_DAILY_AT"] == expected


@pytest.mark.parametrize("raw", ["24:00", "2am", "02:60", "0200"])
def test_a_bad_daily_export_time_names_the_variable(raw):
    with pytest.raises(ConfigError, match="EXPORT_DAILY_AT"):
        settings_from_env({"EXPORT_DAILY_AT": raw})


def test_queue_url_picks_the_storage(tmp_path):
    sqlite = huey_from_url(f"sqlite:///{tmp_path}/sub/queue.db")
    assert isinstance(sqlite, SqliteHuey)
    assert (tmp_path / "sub" / "queue.db").exists()
    redis_huey = huey_from_url("redis://127.0.0.1:1/0")  # connects lazily
    assert isinstance(redis_huey, RedisHuey)


@pytest.mark.parametrize("url", ["amqp://localhost/", "sqlite://", "memory://"])
def test_an_unknown_queue_url_is_refused(url):
    with pytest.raises(ConfigError, match="QUEUE_URL"):
        huey_from_url(url)
