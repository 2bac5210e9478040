import pytest

from config import (
    ConfigError,
    apply_development_defaults,
    check_production,
    database_url,
    settings_from_env,
)
from src import create_app

STRONG = "k" * 40


def _production(**env):
    settings = settings_from_env(
        {"APP_ENV": "production", "ALLOWED_HOSTS": "movies.example.org", **env}
    )
    apply_development_defaults(settings)
    return settings


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"SECRET_KEY": STRONG},
        {"JWT_SECRET_KEY": STRONG},
        {"SECRET_KEY": "short", "JWT_SECRET_KEY": STRONG},
    ],
)
def test_production_refuses_missing_or_weak_secrets(env):
    with pytest.raises(ConfigError):
        check_production(_production(**env))


def test_production_starts_with_strong_secrets():
    check_production(_production(SECRET_KEY=STRONG, JWT_SECRET_KEY="j" * 40))


@pytest.mark.parametrize("hosts", ["", " , "])
def test_production_refuses_to_start_without_allowed_hosts(hosts):
    settings = _production(SECRET_KEY=STRONG, JWT_SECRET_KEY="j" * 40, ALLOWED_HOSTS=hosts)
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        check_production(settings)


def test_development_allows_the_local_host_names():
    settings = settings_from_env({})
    apply_development_defaults(settings)
    assert settings["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "::1"]


def test_allowed_hosts_are_read_as_a_list():
    settings = settings_from_env({"ALLOWED_HOSTS": "movies.example.org, [2001:db8::1] ,"})
    assert settings["ALLOWED_HOSTS"] == ["movies.example.org", "[2001:db8::1]"]


def test_create_app_refuses_production_without_secrets(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_development_gets_embedded_defaults():
    settings = settings_from_env({})
    apply_development_defaults(settings)
    assert settings["SECRET_KEY"] and settings["JWT_SECRET_KEY"]
    assert settings["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert settings["QUEUE_URL"].startswith("sqlite:///")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg2(url, expected):
    assert database_url(url) == expected


def test_bad_integer_setting_names_the_variable():
    with pytest.raises(ConfigError, match="ACCESS_TOKEN_MINUTES"):
        settings_from_env({"ACCESS_TOKEN_MINUTES": "soon"})
