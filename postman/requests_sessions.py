"""Login sessions: refresh rotation and reuse, changing the password, logging out."""

from __future__ import annotations

from steps import (
    ADMIN,
    NO_TOKEN,
    REFRESH,
    SECOND_SESSION,
    USED_REFRESH,
    Request,
    check_json,
    invalid,
    json_answer,
    keep,
    no_content,
    problem,
    variable,
)

CREDENTIALS = {"username": "{{username}}", "password": "{{password}}"}
NEW_PASSWORD = "postman-password-2"  # noqa: S105 (the collection's test user)
KEEP_PAIR = [
    keep("accessToken", "pm.response.json().access_token"),
    keep("refreshToken", "pm.response.json().refresh_token"),
]


def _login(name: str, *keeps: str) -> Request:
    lines = [*json_answer(200, "access_token", "refresh_token"), *keeps]
    return Request(name, "POST", "/login/", CREDENTIALS, lines, auth=NO_TOKEN)


def _detail_says(words: str) -> list[str]:
    return check_json(f"says {words}", f"pm.expect(body.detail).to.include('{words}');")


def _me(name: str, auth: str) -> Request:
    return Request(name, "GET", "/me/", None, json_answer(200, "username", "role"), auth=auth)


def _me_refused(name: str, auth: str) -> Request:
    return Request(name, "GET", "/me/", None, [*problem(401), *_detail_says("revoked")], auth=auth)


SESSIONS = [
    Request(
        "Refresh rotates the token pair",
        "POST",
        "/token/refresh/",
        None,
        [
            *json_answer(200, "access_token", "refresh_token"),
            *check_json(
                "a new refresh token",
                f"pm.expect(body.refresh_token).to.not.eql({variable('refreshToken')});",
            ),
            keep("usedRefreshToken", variable("refreshToken")),
            *KEEP_PAIR,
        ],
        auth=REFRESH,
    ),
    Request(
        "A used refresh token is 401 and ends its session",
        "POST",
        "/token/refresh/",
        None,
        [*problem(401), *_detail_says("already used")],
        auth=USED_REFRESH,
    ),
    _me_refused("The reused session's new access token is 401", "accessToken"),
    Request(
        "The reused session's new refresh token is 401",
        "POST",
        "/token/refresh/",
        None,
        [*problem(401), *_detail_says("revoked")],
        auth=REFRESH,
    ),
    _login("Log in again", *KEEP_PAIR),
    _login("Log in a second session", keep("secondToken", "pm.response.json().access_token")),
    Request(
        "Change the password with a wrong current password is 403",
        "POST",
        "/password/",
        {"current_password": "not-the-password", "new_password": NEW_PASSWORD},
        problem(403),
    ),
    Request(
        "Change the password to a short one is 422",
        "POST",
        "/password/",
        {"current_password": "{{password}}", "new_password": "short"},
        invalid("new_password"),
    ),
    Request(
        "Change the password",
        "POST",
        "/password/",
        {"current_password": "{{password}}", "new_password": NEW_PASSWORD},
        [*no_content(), keep("password", f"'{NEW_PASSWORD}'")],
    ),
    _me_refused("The password change ended the other session", SECOND_SESSION),
    _me("This session still works", "accessToken"),
]

LOGOUT = [
    _login("Log in a second session again", keep("secondToken", "pm.response.json().access_token")),
    Request("Log out", "POST", "/logout/", None, json_answer(200, "message")),
    _me_refused("The revoked token is 401", "accessToken"),
    _me("Logging out left the second session alive", SECOND_SESSION),
    _login("Log in a third session", *KEEP_PAIR),
    Request("Log out everywhere", "POST", "/logout/all/", None, no_content()),
    _me_refused("Logged out everywhere: this session is 401", "accessToken"),
    _me_refused("Logged out everywhere: the second session is 401", SECOND_SESSION),
    _me("Another user's session is untouched", ADMIN),
]
