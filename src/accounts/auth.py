"""Who may call what: tokens required by default, public views marked, admin writes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from src.errors import Forbidden

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_BLUEPRINTS = {"api-docs"}  # flask-smorest's spec and Swagger UI


def public(view: F) -> F:
    """Mark a view as callable without an access token (and say so in the spec)."""
    documented: Any = Blueprint.doc(security=[])(view)
    documented.is_public = True
    return documented


def _require_token_unless_public() -> None:
    """Default deny: every routed view needs a valid access token unless marked public."""
    if request.endpoint is None or request.method == "OPTIONS":
        return  # routing will answer 404/405; nothing to protect
    if request.blueprint in _PUBLIC_BLUEPRINTS or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return
    verify_jwt_in_request()


def _verified_user() -> Any:
    try:
        return get_current_user()
    except RuntimeError:  # no token verified yet for this request
        verify_jwt_in_request()
        return get_current_user()


def admin_required(view: F) -> F:
    """Allow only admins; others get 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _verified_user().is_admin:
            raise Forbidden("This action needs the admin role.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def init_auth(app: Flask) -> None:
    app.before_request(_require_token_unless_public)
