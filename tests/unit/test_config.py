import secrets

import pytest

from config import check_production
from config.settings import (
    DEV_JWT_SECRET_KEY,
    DEV_MOVIE_LIST_PASSWORD,
    DEV_PROVIDER_TOKEN,
    DEV_SECRET_KEY,
    ConfigError,
    apply_development_defaults,
    database_url,
    settings_from_env,
)
from src import create_app
from tests.support.production import production_settings

KEYS = ("SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN")


@pytest.mark.parametrize("name", KEYS)
def test_production_refuses_a_missing_key(name):
    with pytest.raises(ConfigError, match=f"{name} is required"):
        check_production(production_settings(**{name: ""}))


@pytest.mark.parametrize("name", KEYS)
def test_production_refuses_a_key_shorter_than_32_characters(name):
    with pytest.raises(ConfigError, match=f"{name} must be .* at least 32 characters"):
        check_production(production_settings(**{name: secrets.token_urlsafe(23)}))


@pytest.mark.parametrize("name", KEYS)
@pytest.mark.parametrize("value", ["k" * 40, "abcdefg" * 6, "0123456" * 5])
def test_production_refuses_a_key_with_fewer_than_8_distinct_characters(name, value):
    with pytest.raises(ConfigError, match=f"{name} must .* 8 distinct characters") as refused:
        check_production(production_settings(**{name: value}))
    assert value not in str(refused.value)


def test_production_accepts_generated_keys():
    check_production(production_settings())


def test_production_refuses_the_same_value_for_both_signing_keys():
    key = secrets.token_urlsafe(48)
    with pytest.raises(ConfigError, match="JWT_SECRET_KEY must differ from SECRET_KEY"):
        check_production(production_settings(SECRET_KEY=key, JWT_SECRET_KEY=key))


def test_production_refuses_the_metrics_token_equal_to_a_signing_key():
    key = secrets.token_urlsafe(48)
    with pytest.raises(ConfigError, match="METRICS_TOKEN must differ from JWT_SECRET_KEY"):
        check_production(production_settings(JWT_SECRET_KEY=key, METRICS_TOKEN=key))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SECRET_KEY", DEV_SECRET_KEY),
        ("JWT_SECRET_KEY", DEV_JWT_SECRET_KEY),
        ("SECRET_KEY", DEV_JWT_SECRET_KEY),
        ("METRICS_TOKEN", DEV_SECRET_KEY),
        ("PROVIDER_API_TOKEN", DEV_PROVIDER_TOKEN),
        ("MOVIE_LIST_PASSWORD", DEV_MOVIE_LIST_PASSWORD),
    ],
)
def test_production_refuses_the_development_values(name, value):
    with pytest.raises(ConfigError, match=name):
        check_production(production_settings(**{name: value}))


@pytest.mark.parametrize(
    "name",
    ["SECRET_KEY", "JWT_SECRET_KEY", "METRICS_TOKEN", "PROVIDER_API_TOKEN", "MOVIE_LIST_PASSWORD"],
)
@pytest.mark.parametrize(
    "placeholder",
    [
        "replace-with-64-random-characters",
        "REPLACE-ME-WITH-A-LONG-RANDOM-STRING-0123456789",
        "changeme-changeme-changeme-changeme-0123456789",
        "an-example-value-that-is-long-enough-0123456789",
    ],
)
def test_production_refuses_a_placeholder_value(name, placeholder):
    with pytest.raises(ConfigError, match=f"{name} is an example or development value"):
        check_production(production_settings(**{name: placeholder}))


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("DATABASE_URL", "postgresql://movie:replace-me@postgres:5432/movie"),
        ("QUEUE_URL", "redis://:change-me@redis:6379/1"),
        ("RATELIMIT_STORAGE_URI", "redis://default:replace-me@redis:6379/2"),
    ],
)
def test_production_refuses_an_example_password_in_a_url(name, url):
    with pytest.raises(ConfigError, match=f"{name} holds an example") as refused:
        check_production(production_settings(**{name: url}))
    assert "replace-me" not in str(refused.value) and "change-me" not in str(refused.value)


def test_production_accepts_real_credentials():
    check_production(
        production_settings(
            DATABASE_URL=f"postgresql://movie:{secrets.token_urlsafe(16)}@db:5432/movie",
            PROVIDER_API_TOKEN=secrets.token_hex(8),
            MOVIE_LIST_PASSWORD=secrets.token_urlsafe(12),
        )
    )


@pytest.mark.parametrize("uri", ["memory://", ""])
def test_production_refuses_per_process_rate_limit_storage(uri):
    with pytest.raises(
        ConfigError, match="RATELIMIT_STORAGE_URI must be a store every process shares.*memory://"
    ):
        check_production(production_settings(RATELIMIT_STORAGE_URI=uri))


def test_production_with_rate_limits_off_needs_no_limit_storage():
    check_production(production_settings(RATELIMIT_STORAGE_URI="", RATELIMIT_ENABLED="false"))


@pytest.mark.parametrize("proxies", ["10.0.0.0/8", "0.0.0.0/0", "10.244.0.0/16", "fd00::/8"])
def test_production_refuses_trusting_a_whole_network_as_proxies(proxies):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        check_production(production_settings(TRUSTED_PROXIES=f"127.0.0.1,{proxies}"))


def test_production_trusts_the_listed_ingress_addresses():
    proxies = "10.244.3.0/24,10.244.7.15,fd00:10:244:3::/64"
    settings = production_settings(TRUSTED_PROXIES=proxies)
    check_production(settings)
    assert settings["TRUSTED_PROXIES"] == proxies.split(",")


@pytest.mark.parametrize("proxies", ["set-me-to-the-ingress", "10.0.0.300", "10.0.0.0/33"])
def test_a_trusted_proxy_that_is_no_address_names_the_variable(proxies):
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        settings_from_env({"TRUSTED_PROXIES": proxies})


@pytest.mark.parametrize("hosts", ["", " , "])
def test_production_refuses_to_start_without_allowed_hosts(hosts):
    settings = production_settings(ALLOWED_HOSTS=hosts)
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
