"""What the request lists are made of: a Request, and the lines of its test script.

Test scripts are Postman JavaScript, one statement (or a few) a line. In `check_json`
expectations `body` is the parsed JSON response.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

# Which token a request carries: the name of the collection variable, or none.
USER = "accessToken"
ADMIN = "adminToken"
OTHER_USER = "otherToken"
REFRESH = "refreshToken"
USED_REFRESH = "usedRefreshToken"
SECOND_SESSION = "secondToken"
NO_TOKEN = ""

SPLICE = "@splice:"


class Request(NamedTuple):
    """One request of the collection, with its test script and (rarely) a pre-request one."""

    name: str
    method: str
    path: str
    body: Any
    tests: Sequence[str]
    auth: str = USER
    prerequest: Sequence[str] = ()
    follow_redirects: bool = True  # False: the test sees the redirect itself


def spliced(variable: str) -> str:
    """A body value replaced by the variable's text itself, unquoted (a JSON array kept in a
    variable, say): `{"movies": spliced("movies")}` is sent as `{"movies": <movies>}`."""
    return SPLICE + variable


def status(code: int) -> str:
    return f"pm.test('status {code}', () => pm.response.to.have.status({code}));"


def content_type(media_type: str) -> str:
    return (
        f"pm.test('{media_type}', () => pm.expect(pm.response.headers.get('Content-Type'))"
        f".to.include('{media_type}'));"
    )


def problem(code: int) -> list[str]:
    return [
        status(code),
        "pm.test('problem+json', () => pm.expect(pm.response.headers.get('Content-Type'))"
        ".to.include('application/problem+json'));",
        f"pm.test('problem status', () => pm.expect(pm.response.json().status).to.eql({code}));",
    ]


def no_content() -> list[str]:
    """204 with an empty body."""
    return [status(204), *check("no body", "pm.expect(pm.response.text()).to.eql('');")]


def invalid(*fields: str) -> list[str]:
    """A 422 problem that names these fields in `errors`."""
    names = ", ".join(f"'{field}'" for field in fields)
    return [
        *problem(422),
        *check_json("names the fields", f"pm.expect(body.errors).to.include.all.keys({names});"),
    ]


def keep(variable: str, expression: str) -> str:
    return f"pm.collectionVariables.set('{variable}', {expression});"


def check(title: str, *statements: str) -> list[str]:
    """One named test running the statements (one line when there is one statement)."""
    quoted = "'" + title.replace("'", "\\'") + "'"
    if len(statements) == 1:
        return [f"pm.test({quoted}, () => {{ {statements[0]} }});"]
    return [f"pm.test({quoted}, () => {{", *(f"  {line}" for line in statements), "});"]


def check_json(title: str, *statements: str) -> list[str]:
    """One named test running the statements with `body`, the parsed JSON response."""
    return check(title, "const body = pm.response.json();", *statements)


def json_answer(code: int, *keys: str) -> list[str]:
    """Status, JSON content type and the body's top-level keys (at least these)."""
    names = ", ".join(f"'{key}'" for key in keys)
    lines = [status(code), content_type("application/json")]
    if keys:
        lines += check_json(
            "has " + ", ".join(keys), f"pm.expect(body).to.include.all.keys({names});"
        )
    return lines


def page_of(*item_keys: str) -> list[str]:
    """A paginated envelope whose items have these keys."""
    names = ", ".join(f"'{key}'" for key in item_keys)
    return [
        *json_answer(200, "count", "next", "previous", "data"),
        *check_json(
            "items have " + ", ".join(item_keys),
            f"body.data.forEach((item) => pm.expect(item).to.include.all.keys({names}));",
        ),
    ]


def variable(name: str) -> str:
    """The JavaScript expression for a collection variable's value."""
    return f"pm.collectionVariables.get('{name}')"
