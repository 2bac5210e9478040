import base64
import json
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from tests.conftest import PASSWORD, bearer


def _login(client, username, password=PASSWORD):
    return client.post("/login/", json={"username": username, "password": password})


def test_register_returns_a_token_pair(client):
    response = client.post("/register/", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 201
    assert set(response.json) >= {"access_token", "refresh_token"}


def test_register_rejects_a_taken_username_in_any_case(client, register):
    register("alice")
    response = client.post("/register/", json={"username": "ALICE", "password": PASSWORD})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("ab", 422),
        ("abc", 201),
        ("a" * 150, 201),
        ("a" * 151, 422),
        ("bad name", 422),
        ("émile", 422),
        ("dots.and_dash-1", 201),
        ("robert'); DROP TABLE users;--", 422),
    ],
)
def test_register_username_rules(client, username, status):
    response = client.post("/register/", json={"username": username, "password": PASSWORD})
    assert response.status_code == status


@pytest.mark.parametrize(("length", "status"), [(7, 422), (8, 201), (128, 201), (129, 422)])
def test_register_password_length(client, length, status):
    response = client.post("/register/", json={"username": "bob", "password": "p" * length})
    assert response.status_code == status


def test_register_rejects_unknown_and_missing_fields(client):
    response = client.post("/register/", json={"username": "bob", "role": "admin"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password", "role"}


def test_register_rejects_wrong_types(client):
    response = client.post("/register/", json={"username": 12345, "password": ["x"] * 9})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"username", "password"}


def test_login_returns_tokens_that_open_the_api(client, register):
    register("alice")
    response = _login(client, "Alice")
    assert response.status_code == 200
    me = client.get("/me/", headers=bearer(response.json["access_token"]))
    assert me.json["username"] == "alice"
    assert me.json["role"] == "user"


def test_login_answers_the_same_for_unknown_user_and_wrong_password(client, register):
    register("alice")
    wrong_password = _login(client, "alice", "not-the-password")
    unknown_user = _login(client, "nobody", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json["detail"] == unknown_user.json["detail"]


def test_access_token_subject_is_a_string_and_algorithm_pinned(client, register):
    token = register("alice")["access_token"]
    header, payload, _ = token.split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    assert decode(header)["alg"] == "HS256"
    assert isinstance(decode(payload)["sub"], str)
    assert decode(payload)["exp"] - decode(payload)["iat"] == 15 * 60


def test_refresh_gives_a_working_access_token(client, register):
    tokens = register("alice")
    response = client.post("/token/refresh/", headers=bearer(tokens["refresh_token"]))
    assert response.status_code == 200
    assert client.get("/me/", headers=bearer(response.json["access_token"])).status_code == 200


def test_refresh_refuses_an_access_token(client, register):
    tokens = register("alice")
    response = client.post("/token/refresh/", headers=bearer(tokens["access_token"]))
    assert response.status_code == 401


def test_refresh_token_does_not_open_the_api(client, register):
    tokens = register("alice")
    assert client.get("/me/", headers=bearer(tokens["refresh_token"])).status_code == 401


def test_logout_revokes_the_access_and_the_refresh_token(client, register):
    tokens = register("alice")
    assert client.post("/logout/", headers=bearer(tokens["access_token"])).status_code == 200
    me = client.get("/me/", headers=bearer(tokens["access_token"]))
    assert me.status_code == 401
    assert "revoked" in me.json["detail"]
    refreshed = client.post("/token/refresh/", headers=bearer(tokens["refresh_token"]))
    assert refreshed.status_code == 401


def test_logout_leaves_other_sessions_of_the_user_alive(client, register):
    first = register("alice")
    second = _login(client, "alice").json
    client.post("/logout/", headers=bearer(first["access_token"]))
    assert client.get("/me/", headers=bearer(second["access_token"])).status_code == 200


def test_missing_token_is_401_problem(client):
    response = client.get("/catalog/movies/")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization", ["Bearer garbage", "Bearer a.b.c", "Basic dXNlcjpwYXNz", "Bearer", "Token x"]
)
def test_garbage_tokens_are_401(client, authorization):
    response = client.get("/catalog/movies/", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.json["status"] == 401


def test_expired_token_is_401(app, client, register):
    register("alice")
    with app.app_context():
        token = create_access_token(identity="1", expires_delta=timedelta(seconds=-5))
    response = client.get("/me/", headers=bearer(token))
    assert response.status_code == 401
    assert "expired" in response.json["detail"]


def test_tampered_signature_is_401(client, register):
    token = register("alice")["access_token"]
    header, payload, signature = token.split(".")
    forged = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    assert client.get("/me/", headers=bearer(f"{header}.{payload}.{forged}")).status_code == 401


def test_tampered_payload_is_401(client, register):
    token = register("alice")["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert client.get("/me/", headers=bearer(f"{header}.{forged}.{signature}")).status_code == 401


def test_alg_none_token_is_401(client, register):
    token = register("alice")["access_token"]
    _, payload, _ = token.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    response = client.get("/me/", headers=bearer(f"{none_header}.{payload}."))
    assert response.status_code == 401


def test_token_of_an_unknown_user_is_401(app, client):
    with app.app_context():
        token = create_access_token(identity="999999")
    assert client.get("/me/", headers=bearer(token)).status_code == 401


def test_public_endpoints_need_no_token(client):
    for path in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert client.get(path).status_code == 200, path
