import pytest

from config import ConfigError, export_settings


def test_quota_and_retention_defaults():
    settings = export_settings({})
    assert (settings["EXPORT_MAX_PENDING"], settings["EXPORT_RETENTION_DAYS"]) == (3, 7)


def test_quota_and_retention_come_from_the_environment():
    settings = export_settings({"EXPORT_MAX_PENDING": "10", "EXPORT_RETENTION_DAYS": "30"})
    assert (settings["EXPORT_MAX_PENDING"], settings["EXPORT_RETENTION_DAYS"]) == (10, 30)


@pytest.mark.parametrize(
    "env",
    [
        {"EXPORT_MAX_PENDING": "0"},
        {"EXPORT_MAX_PENDING": "three"},
        {"EXPORT_RETENTION_DAYS": "0"},
        {"EXPORT_RETENTION_DAYS": "-1"},
        {"EXPORT_RETENTION_DAYS": "1000000"},  # now - retention would leave the calendar
        {"EXPORT_MAX_WINDOW_DAYS": "1000000000"},  # past what a timedelta holds
    ],
)
def test_unusable_values_are_refused_at_start(env):
    with pytest.raises(ConfigError, match=next(iter(env))):
        export_settings(env)
