"""Who may call what, decided before anything reads the request: an access token required by
default; a view that takes anything else declares it (@public, @takes_password, @probe,
@own_credential, @refresh_token_required), roles too (@admin_required); the one gate reads
the declarations."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, auto
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_smorest import Blueprint

from src import revisions
from src.accounts import repository
from src.accounts.models import ROLES
from src.accounts.principal import Principal
from src.accounts.tokens import TokenRefused, bearer_token, verify
from src.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])
_PUBLIC_BLUEPRINTS = {"api-docs"}  # flask-smorest's spec and Swagger UI
ACCESS_TOKEN_SCHEME = "bearerAuth"  # noqa: S105 (the spec's name of a scheme, no secret)
REFRESH_TOKEN_SCHEME = "refreshToken"  # noqa: S105
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="movie-service"'}
MISSING_TOKEN = "This endpoint needs a bearer token: Authorization: Bearer <token>."  # noqa: S105
REVOKED = "The token has been revoked; log in again."
UNKNOWN_USER = "The token's user no longer exists."
USER_IDS = range(1, 2**31)  # users.id is a 32-bit integer


class Access(Enum):
    """What a view takes from its caller, as declared on the view; the gate reads it."""

    ACCESS_TOKEN = auto()  # the default: a view that declares nothing
    REFRESH_TOKEN = auto()  # the refresh token instead
    PASSWORD = auto()  # a username and password in the body, no token
    OWN_CREDENTIAL = auto()  # a credential the view checks itself, no user's token
    PROBE = auto()  # nothing: a liveness or readiness probe
    PUBLIC = auto()  # nothing: a page for anyone


# The accesses the gate verifies a token of ours for; the others it lets through to the view.
TOKEN_ACCESS = frozenset({Access.ACCESS_TOKEN, Access.REFRESH_TOKEN})


def access_of(view: Callable[..., Any] | None) -> Access:
    """The access a view declares; an access token when it declares none (default deny)."""
    declared: Access = getattr(view, "access", Access.ACCESS_TOKEN)
    return declared


def _declare(view: F, access: Access, security: list[dict[str, list[str]]]) -> F:
    documented: Any = Blueprint.doc(security=security)(view)
    documented.access = access
    return documented


def public(view: F) -> F:
    """Declare a page for anyone: no token, no credential (and say so in the spec)."""
    return _declare(view, Access.PUBLIC, [])


def takes_password(view: F) -> F:
    """Declare that a view takes a username and password in its body instead of a token
    (register, login): the gate lets it through, the view checks them."""
    return _declare(view, Access.PASSWORD, [])


def probe(view: F) -> F:
    """Declare a liveness or readiness probe: no token (the orchestrator has none)."""
    return _declare(view, Access.PROBE, [])


def own_credential(name: str) -> Callable[[F], F]:
    """Declare that a view checks a credential of its own (the setting `name`), not a user's
    token: the gate lets it through, the view must refuse a caller without it."""

    def declare(view: F) -> F:
        documented = _declare(view, Access.OWN_CREDENTIAL, [])
        documented.own_credential = name  # type: ignore[attr-defined]
        return documented

    return declare


def refresh_token_required(view: F) -> F:
    """Declare that a view takes the refresh token, not an access token: the gate verifies
    it (and the spec names its own scheme)."""
    return _declare(view, Access.REFRESH_TOKEN, [{REFRESH_TOKEN_SCHEME: []}])


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
# The revision a view reads: a name, or the name made from the caller's user id (the claim's
# subject: the one thing known of the caller before the token check's statement runs).
RevisionName = str | Callable[[int], str]


def reads_revision(name: RevisionName) -> Callable[[F], F]:
    """Declare the revision (src/caching.py) a cached read answers under: the gate reads it in
    the token check's own statement, and revisions.request_revision gives it to the view."""

    def declare(view: F) -> F:
        declared: Any = view
        declared.revision_read = name
        return view

    return declare


def _refuse(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers=BEARER_CHALLENGE)


def _verified_claims(*, refresh: bool) -> dict[str, Any]:
    try:
        token = bearer_token(request.headers.get("Authorization", ""))
        if token is None:
            raise _refuse(MISSING_TOKEN)
        key = current_app.config["JWT_SECRET_KEY"].encode()
        return verify(token, key=key, token_type="refresh" if refresh else "access")
    except TokenRefused as refused:
        raise _refuse(refused.detail) from None


def authenticate(*, refresh: bool = False, revision: RevisionName | None = None) -> Principal:
    """The caller of this request's bearer token (the refresh token if `refresh`): the token
    verified once, then its user and live login session in one query; else 401. With
    `revision`, that query reads the revision too (for revisions.request_revision)."""
    claims = _verified_claims(refresh=refresh)
    try:
        user_id = int(claims["sub"])
    except ValueError:
        raise _refuse(UNKNOWN_USER) from None
    if user_id not in USER_IDS:  # the statement's parameter is the column's type
        raise _refuse(UNKNOWN_USER)
    sid, role = claims.get("sid"), claims.get("role", "user")
    if not isinstance(sid, str):
        raise _refuse(REVOKED)  # issued before sessions were stored, or made by hand
    if role not in ROLES:
        raise _refuse(TokenRefused.detail)
    name = revision(user_id) if callable(revision) else revision
    # Before anything the view reads, and seeing every commit made before it started: what
    # the view reads after it is never older than the revision read here (see
    # revisions.request_revision), and a revoked session is refused at once.
    found = repository.caller(user_id=user_id, sid=sid, revision=name)
    if found is None:
        raise _refuse(UNKNOWN_USER)
    if found.sid is None:
        raise _refuse(REVOKED)
    if name is not None:  # no row: never bumped, revisions.NO_REVISION
        revisions.read_with_token(name, revisions.Revision(found.value or 0, found.stamp or 0))
    return Principal(user_id, found.username, role, sid, str(claims.get("jti")), found.created_at)


def current_principal() -> Principal:
    """The caller the access gate verified for this request."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        raise RuntimeError("no token was verified for this request (a public view?)")
    return principal


def verified_principal() -> Principal | None:
    """The caller if the gate verified a token on this request (None on public views)."""
    principal: Principal | None = g.get("principal")
    return principal


def _require_access() -> None:
    """Default deny: every routed view needs a valid access token unless it declares another
    access (see Access), and the role it declares. Runs before the body policy
    and the view's argument parsing."""
    endpoint = request.endpoint
    if endpoint is None or request.method == "OPTIONS":
        return  # routing will answer 404/405; nothing to protect
    if endpoint == "static" or request.blueprint in _PUBLIC_BLUEPRINTS:
        return
    view = current_app.view_functions.get(endpoint)
    access = access_of(view)
    if access not in TOKEN_ACCESS:
        return  # declared as taking no token of ours
    principal = authenticate(
        refresh=access is Access.REFRESH_TOKEN,
        revision=getattr(view, "revision_read", None),
    )
    g.principal = principal
    role = getattr(view, "required_role", None)
    if role is not None and principal.role != role:
        raise Forbidden(f"This action needs the {role} role.")


def init_auth(app: Flask) -> None:
    app.before_request(_require_access)
