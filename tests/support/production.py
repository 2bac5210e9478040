"""A production environment that check_production accepts, for tests to vary one setting of."""

from __future__ import annotations

import secrets
from typing import Any

from config import apply_development_defaults, settings_from_env

# Generated per run: nothing a test accepts can be a value written down anywhere.
PRODUCTION_ENV = {
    "APP_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(48),
    "JWT_SECRET_KEY": secrets.token_urlsafe(48),
    "METRICS_TOKEN": secrets.token_urlsafe(48),
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2",
    "ALLOWED_HOSTS": "movies.test",
}


def production_settings(**env: str) -> dict[str, Any]:
    """Settings as create_app builds them from PRODUCTION_ENV with env on top."""
    settings = settings_from_env({**PRODUCTION_ENV, **env})
    apply_development_defaults(settings)
    return settings
