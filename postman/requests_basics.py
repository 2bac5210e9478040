"""Health, the API docs and accounts."""

from __future__ import annotations

from steps import (
    ADMIN,
    NO_TOKEN,
    Request,
    check,
    check_json,
    content_type,
    json_answer,
    keep,
    problem,
    status,
)

# The first request starts a new run: new names, so that registering works again in the
# Postman app too (which keeps collection variables between runs).
NEW_RUN = [
    "const runId = Date.now().toString(36);",
    "pm.collectionVariables.set('runId', runId);",
    "pm.collectionVariables.set('username', 'postman_' + runId);",
    "pm.collectionVariables.set('otherUsername', 'postman_' + runId + '_other');",
    "pm.collectionVariables.set('password', 'postman-password-1');",  # a run changes it
]
CREDENTIALS = {"username": "{{username}}", "password": "{{password}}"}

HEALTH = [
    Request(
        "Liveness",
        "GET",
        "/healthz",
        None,
        json_answer(200, "status"),
        auth=NO_TOKEN,
        prerequest=NEW_RUN,
    ),
    Request("Readiness", "GET", "/readyz", None, json_answer(200, "status"), auth=NO_TOKEN),
    Request(
        "OpenAPI spec",
        "GET",
        "/openapi.json",
        None,
        [
            *json_answer(200, "openapi", "paths"),
            "pm.test('has paths', () => pm.expect(pm.response.json().paths).to.be.an('object'));",
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Swagger UI",
        "GET",
        "/docs",
        None,
        [
            status(200),
            content_type("text/html"),
            *check("loads swagger-ui", "pm.expect(pm.response.text()).to.include('swagger-ui');"),
            *check(
                "from this service only",
                'pm.expect(pm.response.text()).to.not.match(/(src|href)="(https?:)?\\/\\//);',
            ),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Swagger UI script, served by the service",
        "GET",
        "/docs/swagger-ui/4.15.5/swagger-ui-bundle.js",
        None,
        [status(200), content_type("text/javascript")],
        auth=NO_TOKEN,
    ),
]

ACCOUNTS = [
    Request(
        "Register",
        "POST",
        "/register/",
        CREDENTIALS,
        [
            *json_answer(201, "access_token", "refresh_token"),
            keep("accessToken", "pm.response.json().access_token"),
            keep("refreshToken", "pm.response.json().refresh_token"),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Register again is 409", "POST", "/register/", CREDENTIALS, problem(409), auth=NO_TOKEN
    ),
    Request(
        "Login",
        "POST",
        "/login/",
        CREDENTIALS,
        [
            *json_answer(200, "access_token", "refresh_token"),
            keep("accessToken", "pm.response.json().access_token"),
            keep("refreshToken", "pm.response.json().refresh_token"),
        ],
        auth=NO_TOKEN,
    ),
    Request(
        "Login with a wrong password is 401",
        "POST",
        "/login/",
        {"username": "{{username}}", "password": "not-the-password"},
        problem(401),
        auth=NO_TOKEN,
    ),
    Request(
        "Who am I",
        "GET",
        "/me/",
        None,
        [
            *json_answer(200, "username", "role"),
            "pm.test('is the user', () => pm.expect(pm.response.json().username)"
            ".to.eql(pm.collectionVariables.get('username')));",
        ],
    ),
    Request(
        "Admin login",
        "POST",
        "/login/",
        {"username": "{{adminUsername}}", "password": "{{adminPassword}}"},
        [*json_answer(200, "access_token"), keep("adminToken", "pm.response.json().access_token")],
        auth=NO_TOKEN,
    ),
    Request(
        "Who am I (admin)",
        "GET",
        "/me/",
        None,
        [
            *json_answer(200, "username", "role"),
            *check_json(
                "is the admin",
                "pm.expect(body.username).to.eql(pm.variables.get('adminUsername'));",
                "pm.expect(body.role).to.eql('admin');",
            ),
        ],
        auth=ADMIN,
    ),
]
