import json

import pytest

from src import create_app
from src.accounts.auth import public
from tests.conftest import settings_for_tests

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def _log_lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line[:1] == "{"]


def _assert_problem(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert PROBLEM_KEYS <= set(response.json)
    assert response.json["status"] == status


def test_malformed_json_is_400(client, admin_headers):
    response = client.post(
        "/catalog/movies/",
        data='{"title": "Heat",',
        content_type="application/json",
        headers=admin_headers,
    )
    _assert_problem(response, 400)
    assert response.json["detail"] == "The request body is not valid JSON."


def test_deeply_nested_json_is_400_not_a_crash(client):
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/register/", data=body, content_type="application/json")
    _assert_problem(response, 400)


def test_non_json_body_is_415(client):
    response = client.post(
        "/register/", data="username=a&password=b", content_type="application/x-www-form-urlencoded"
    )
    _assert_problem(response, 415)


def test_body_over_one_mebibyte_is_413(client):
    body = json.dumps({"username": "alice", "password": "x" * (1024 * 1024)})
    response = client.post("/register/", data=body, content_type="application/json")
    _assert_problem(response, 413)


def test_unknown_path_is_404_problem(client):
    _assert_problem(client.get("/no/such/path/"), 404)


def test_wrong_method_is_405_problem_with_allow(client, user_headers):
    response = client.delete("/catalog/genres/", headers=user_headers)
    _assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_validation_error_lists_fields(client):
    response = client.post("/register/", json={"username": "a"})
    _assert_problem(response, 422)
    assert set(response.json["errors"]) == {"username", "password"}


def test_request_id_is_echoed_when_valid(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123.def"})
    assert response.headers["X-Request-ID"] == "abc-123.def"


@pytest.mark.parametrize("incoming", [None, "", "bad id with spaces", "x" * 200, "<script>"])
def test_request_id_is_made_when_missing_or_unsafe(client, incoming):
    headers = {"X-Request-ID": incoming} if incoming is not None else {}
    response = client.get("/healthz", headers=headers)
    made = response.headers["X-Request-ID"]
    assert made != incoming
    assert len(made) == 32


def test_problem_carries_the_request_id(client):
    response = client.get("/nowhere/", headers={"X-Request-ID": "trace-42"})
    assert response.json["request_id"] == "trace-42"


@pytest.fixture
def crashing_app(tmp_path):
    app = create_app(
        {
            **settings_for_tests(f"sqlite:///{tmp_path}/crash.db", str(tmp_path)),
            "ACCESS_LOG": True,
            "PROPAGATE_EXCEPTIONS": False,
            "TESTING": False,
        }
    )

    @app.get("/boom/")
    @public
    def boom():
        raise RuntimeError("secret internal detail: password=hunter2")

    return app


def test_unexpected_error_is_500_without_internals_and_logged(crashing_app, capsys):
    response = crashing_app.test_client().get("/boom/", headers={"X-Request-ID": "crash-1"})
    _assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)
    logged = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    errors = [entry for entry in logged if entry["level"] == "ERROR"]
    assert errors and errors[0]["request_id"] == "crash-1"
    assert "RuntimeError" in errors[0]["exception"]


def test_access_log_is_json_with_the_request_id(crashing_app, capsys):
    crashing_app.test_client().get("/healthz", headers={"X-Request-ID": "log-7"})
    lines = [
        json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")
    ]
    access = [entry for entry in lines if entry["logger"] == "src.access"]
    assert access[-1]["request_id"] == "log-7"
    assert access[-1]["status"] == 200
    assert access[-1]["path"] == "/healthz"
    assert isinstance(access[-1]["duration_ms"], float)


def test_openapi_spec_lists_every_route_with_bearer_security(client):
    spec = client.get("/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/register/"]["post"]["security"] == []
    for path in (
        "/catalog/movies/",
        "/catalog/movies/{movie_id}/",
        "/catalog/movies/expired/",
        "/catalog/genres/",
        "/login/",
        "/logout/",
        "/token/refresh/",
    ):
        assert path in spec["paths"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"username": "a\\u0000b", "password": "long-enough"}', "username"),
        ('{"username": "abc", "password": "\\ud800long-enough"}', "password"),
        ('{"genres": ["ok", "\\u0000"]}', "genres.1"),
    ],
)
def test_text_no_database_can_store_is_422_not_500(client, body, field):
    response = client.post("/register/", data=body, content_type="application/json")
    _assert_problem(response, 422)
    assert field in response.json["errors"]


def test_nul_in_a_query_parameter_is_422(client, user_headers):
    response = client.get("/catalog/movies/?q=a%00b", headers=user_headers)
    _assert_problem(response, 422)
    assert "q" in response.json["errors"]
