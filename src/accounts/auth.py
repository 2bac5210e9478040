"""Who may call what, decided before anything reads the request: tokens required by default,
public views marked, roles declared on the view; the one gate reads the declarations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_smorest import Blueprint

from src.errors import Forbidden

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_BLUEPRINTS = {"api-docs"}  # flask-smorest's spec and Swagger UI
ACCESS_TOKEN_SCHEME = "bearerAuth"  # noqa: S105 (the spec's name of a scheme, no secret)
REFRESH_TOKEN_SCHEME = "refreshToken"  # noqa: S105


def public(view: F) -> F:
    """Mark a view as callable without an access token (and say so in the spec)."""
    documented: Any = Blueprint.doc(security=[])(view)
    documented.is_public = True
    return documented


def refresh_token_required(view: F) -> F:
    """Declare that a view takes the refresh token, not an access token: the gate verifies
    it (and the spec names its own scheme)."""
    documented: Any = Blueprint.doc(security=[{REFRESH_TOKEN_SCHEME: []}])(view)
    documented.takes_refresh_token = True
    return documented


def requires_role(role: str) -> Callable[[F], F]:
    """Declare the role a view needs; the gate answers 403 to any other role (and the spec
    says so). The declaration carries over the decorators around it, in any order."""

    def declare(view: F) -> F:
        forbidden = {"description": f"Needs the {role} role."}
        documented: Any = Blueprint.doc(responses={"403": forbidden})(view)
        documented.required_role = role
        return documented

    return declare


admin_required = requires_role("admin")


def _require_access() -> None:
    """Default deny: every routed view needs a valid access token (or the refresh token it
    declares) unless marked public, and the role it declares. Runs before the body policy
    and the view's argument parsing."""
    if request.endpoint is None or request.method == "OPTIONS":
        return  # routing will answer 404/405; nothing to protect
    if request.blueprint in _PUBLIC_BLUEPRINTS or request.endpoint == "static":
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False):
        return
    verify_jwt_in_request(refresh=getattr(view, "takes_refresh_token", False))
    role = getattr(view, "required_role", None)
    if role is not None and get_current_user().role != role:
        raise Forbidden(f"This action needs the {role} role.")


def init_auth(app: Flask) -> None:
    app.before_request(_require_access)
