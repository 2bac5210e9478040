"""Configuration: the settings the environment gives (settings.py) and what production
refuses of them (production.py)."""

from config.production import check_production
from config.settings import (
    BASE_DIR,
    INSTANCE_DIR,
    SIMULATOR_URL,
    BaseConfig,
    ConfigError,
    apply_development_defaults,
    database_url,
    export_settings,
    settings_from_env,
)

__all__ = [
    "BASE_DIR",
    "INSTANCE_DIR",
    "SIMULATOR_URL",
    "BaseConfig",
    "ConfigError",
    "apply_development_defaults",
    "check_production",
    "database_url",
    "export_settings",
    "settings_from_env",
]
