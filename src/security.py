"""Response headers that protect clients: no sniffing, no framing, a CSP for HTML pages,
HSTS over https, and CORS closed unless CORS_ORIGINS names the allowed origins."""

from __future__ import annotations

from flask import Flask, Response, current_app, request

# The customer page uses its own stylesheet and images from the providers' poster hosts.
PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' https: http: data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI (src/docs.py): its files and the spec from this service only, no inline script;
# its stylesheet draws icons from data: URLs.
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CORS_HEADERS = "Authorization, Content-Type, X-Request-ID"
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"


def _content_security_policy(response: Response) -> str:
    if response.mimetype == "text/html":
        return PAGE_CSP
    return API_CSP


def _allow_cors(response: Response) -> None:
    origin = request.headers.get("Origin")
    if not origin or origin not in current_app.config["CORS_ORIGINS"]:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = (
        "X-Request-ID, Retry-After, Location, ETag, "
        "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    response.vary.add("Origin")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Max-Age"] = "600"


_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _protect(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name, _ in headers}  # one pass, not one a header
    missing = [(name, value) for name, value in _ALWAYS if name.lower() not in present]
    if "content-security-policy" not in present:
        missing.append(("Content-Security-Policy", _content_security_policy(response)))
    if request.is_secure and HSTS[0].lower() not in present:
        missing.append(HSTS)
    headers.extend(missing)
    if "HTTP_ORIGIN" in request.environ:  # an Origin header
        _allow_cors(response)
    return response


def init_security(app: Flask) -> None:
    app.after_request(_protect)
