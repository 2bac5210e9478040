from config import settings_from_env
from src.counter.store import CounterStore


def test_counter_defaults_to_on_with_32_slots():
    settings = settings_from_env({})
    assert settings["REQUEST_COUNTER_ENABLED"] is True
    assert settings["REQUEST_COUNTER_SLOTS"] == 32
    assert settings["REQUEST_COUNTER_POOL_SIZE"] == 4
    assert settings["REQUEST_COUNTER_TIMEOUT_MS"] == 2000
    assert settings["REQUEST_COUNTER_DURABLE"] is True


def test_counter_settings_come_from_the_environment():
    settings = settings_from_env(
        {
            "REQUEST_COUNTER_ENABLED": "false",
            "REQUEST_COUNTER_SLOTS": "64",
            "REQUEST_COUNTER_POOL_SIZE": "8",
            "REQUEST_COUNTER_TIMEOUT_MS": "500",
            "REQUEST_COUNTER_DURABLE": "false",
        }
    )
    assert settings["REQUEST_COUNTER_ENABLED"] is False
    assert settings["REQUEST_COUNTER_SLOTS"] == 64
    assert settings["REQUEST_COUNTER_POOL_SIZE"] == 8
    assert settings["REQUEST_COUNTER_TIMEOUT_MS"] == 500
    assert settings["REQUEST_COUNTER_DURABLE"] is False


def test_sqlite_counts_in_one_row_and_postgres_in_the_configured_slots():
    options = {"pool_size": 2, "timeout_ms": 100}
    assert CounterStore(url="sqlite:///x.db", slots=32, **options).slots == 1
    assert CounterStore(url="postgresql+psycopg2://h/db", slots=32, **options).slots == 32
    assert CounterStore(url="postgresql+psycopg2://h/db", slots=0, **options).slots == 1
