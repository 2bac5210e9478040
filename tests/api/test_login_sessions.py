"""Login sessions: refresh rotation with reuse detection, password change, logout everywhere,
and the role change that ends a user's sessions. Each assertion is what a client sees."""

import base64
import json

import pytest
from flask_jwt_extended import create_access_token
from sqlalchemy import delete, event, select

from src.accounts import service
from src.accounts.models import LoginSession, User
from src.errors import Unauthorized
from src.extensions import db
from tests.conftest import PASSWORD, bearer

NEW_PASSWORD = "a-brand-new-password"


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _login(client, username, password=PASSWORD):
    response = client.post("/login/", json={"username": username, "password": password})
    assert response.status_code == 200, response.json
    return response.json


def _refresh(client, tokens):
    return client.post("/token/refresh/", headers=bearer(tokens["refresh_token"]))


def _me_status(client, tokens):
    return client.get("/me/", headers=bearer(tokens["access_token"])).status_code


def _refresh_status(client, tokens):
    return _refresh(client, tokens).status_code


def _change_password(client, tokens, current=PASSWORD, new=NEW_PASSWORD):
    body = {"current_password": current, "new_password": new}
    return client.post("/password/", json=body, headers=bearer(tokens["access_token"]))


def _assert_problem(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == status


# Refresh-token rotation


def test_refresh_answers_a_new_pair_of_the_same_session(client, register):
    tokens = register("alice")
    response = _refresh(client, tokens)
    assert response.status_code == 200
    rotated = response.json
    assert set(rotated) >= {"access_token", "refresh_token"}
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert _claims(rotated["refresh_token"])["sid"] == _claims(tokens["refresh_token"])["sid"]
    assert _claims(rotated["access_token"])["sid"] == _claims(tokens["access_token"])["sid"]
    assert _me_status(client, rotated) == 200
    assert _refresh_status(client, rotated) == 200  # the new refresh token rotates in turn


def test_a_used_refresh_token_is_refused(client, register):
    tokens = register("alice")
    assert _refresh_status(client, tokens) == 200
    reused = _refresh(client, tokens)
    _assert_problem(reused, 401)
    assert "already used" in reused.json["detail"]
    assert reused.headers["WWW-Authenticate"].startswith("Bearer")


def test_reusing_a_refresh_token_revokes_its_whole_session(client, register):
    first = register("alice")
    newest = _refresh(client, first).json
    assert _refresh_status(client, first) == 401  # the reuse
    me = client.get("/me/", headers=bearer(newest["access_token"]))
    _assert_problem(me, 401)
    assert "revoked" in me.json["detail"]
    assert _me_status(client, first) == 401
    assert _refresh_status(client, newest) == 401


def test_refresh_reuse_leaves_the_users_other_sessions_and_other_users_alive(client, register):
    stolen = register("alice")
    other_session = _login(client, "alice")
    other_user = register("bob")
    _refresh(client, stolen)
    _refresh(client, stolen)
    assert _me_status(client, other_session) == 200
    assert _refresh_status(client, other_session) == 200
    assert _me_status(client, other_user) == 200


def test_refresh_of_a_logged_out_session_is_refused(client, register):
    tokens = register("alice")
    client.post("/logout/", headers=bearer(tokens["access_token"]))
    _assert_problem(_refresh(client, tokens), 401)


def test_a_refresh_that_a_logout_overtook_is_revoked_not_reuse(app, client, register):
    tokens = register("alice")
    client.post("/logout/", headers=bearer(tokens["access_token"]))
    # As if the token check had passed just before the logout committed.
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        with pytest.raises(Unauthorized, match="has been revoked"):
            service.refresh(user=user, claims=_claims(tokens["refresh_token"]))


def test_an_access_token_is_not_a_refresh_token(client, register):
    tokens = register("alice")
    response = client.post("/token/refresh/", headers=bearer(tokens["access_token"]))
    _assert_problem(response, 401)
    assert _refresh_status(client, tokens) == 200  # the session was not touched


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/me/"), ("POST", "/logout/"), ("POST", "/logout/all/"), ("POST", "/password/")],
)
def test_a_refresh_token_is_not_an_access_token(client, register, method, path):
    tokens = register("alice")
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.open(path, method=method, json=body, headers=bearer(tokens["refresh_token"]))
    _assert_problem(response, 401)
    assert _me_status(client, tokens) == 200
    assert _login(client, "alice")  # the password did not change


def test_a_token_without_a_session_is_refused(app, client, register):
    register("alice")
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.username == "alice")).one()
        token = create_access_token(identity=str(user_id))
    _assert_problem(client.get("/me/", headers=bearer(token)), 401)


def test_the_token_check_is_one_query(client, register):
    tokens = register("alice")
    statements = []
    with client.application.app_context():
        engine = db.engine
    listen = ("before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(engine, *listen)
    try:
        assert _me_status(client, tokens) == 200
    finally:
        event.remove(engine, *listen)
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT")] == [
        s for s in statements if "login_sessions" in s
    ]
    assert len([s for s in statements if "login_sessions" in s]) == 1


# Password change


def test_password_change_revokes_the_other_sessions_and_keeps_this_one(client, register):
    this = register("alice")
    other = _login(client, "alice")
    response = _change_password(client, this)
    assert response.status_code == 204
    assert response.data == b""
    assert _me_status(client, this) == 200
    assert _refresh_status(client, this) == 200
    assert _me_status(client, other) == 401
    assert _refresh_status(client, other) == 401


def test_password_change_sets_the_new_password_as_argon2(app, client, register):
    tokens = register("alice")
    _change_password(client, tokens)
    assert _login(client, "alice", NEW_PASSWORD)
    old = client.post("/login/", json={"username": "alice", "password": PASSWORD})
    assert old.status_code == 401
    with app.app_context():
        stored = db.session.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2id$")
    assert NEW_PASSWORD not in stored


def test_password_change_leaves_other_users_alone(client, register):
    alice = register("alice")
    bob = register("bob")
    _change_password(client, alice)
    assert _me_status(client, bob) == 200
    assert _login(client, "bob")


def test_password_change_with_a_wrong_current_password_is_403(client, register):
    this = register("alice")
    other = _login(client, "alice")
    response = _change_password(client, this, current="not-the-password")
    _assert_problem(response, 403)
    assert _me_status(client, other) == 200  # nothing revoked
    assert _login(client, "alice", PASSWORD)  # nothing changed


@pytest.mark.parametrize(("length", "status"), [(7, 422), (8, 204), (128, 204), (129, 422)])
def test_the_new_password_follows_the_registration_rules(client, register, length, status):
    tokens = register("alice")
    assert _change_password(client, tokens, new="p" * length).status_code == status


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"current_password", "new_password"}),
        ({"current_password": PASSWORD}, {"new_password"}),
        ({"current_password": 1, "new_password": ["x"]}, {"current_password", "new_password"}),
        ({"current_password": PASSWORD, "new_password": NEW_PASSWORD, "x": 1}, {"x"}),
    ],
)
def test_a_malformed_password_change_is_422(client, register, body, fields):
    tokens = register("alice")
    response = client.post("/password/", json=body, headers=bearer(tokens["access_token"]))
    _assert_problem(response, 422)
    assert set(response.json["errors"]) == fields


# Logging out everywhere


def test_logout_all_revokes_every_session_this_one_included(client, register):
    this = register("alice")
    other = _login(client, "alice")
    response = client.post("/logout/all/", headers=bearer(this["access_token"]))
    assert response.status_code == 204
    assert response.data == b""
    for tokens in (this, other):
        assert _me_status(client, tokens) == 401
        assert _refresh_status(client, tokens) == 401
    assert _me_status(client, _login(client, "alice")) == 200  # a new login works


def test_logout_all_leaves_other_users_alive(client, register):
    alice = register("alice")
    bob = register("bob")
    client.post("/logout/all/", headers=bearer(alice["access_token"]))
    assert _me_status(client, bob) == 200
    assert _refresh_status(client, bob) == 200


# Role change and deletion


def test_making_a_user_admin_revokes_its_sessions(app, client, register):
    carol = register("carol")
    bob = register("bob")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "carol", "--password", NEW_PASSWORD]
    )
    assert result.exit_code == 0, result.output
    assert _me_status(client, carol) == 401
    assert _refresh_status(client, carol) == 401
    assert _me_status(client, bob) == 200
    admin = _login(client, "carol", NEW_PASSWORD)
    assert client.get("/me/", headers=bearer(admin["access_token"])).json["role"] == "admin"


def test_deleting_a_user_ends_its_sessions(app, client, register):
    tokens = register("alice")
    with app.app_context():
        db.session.execute(delete(User).where(User.username == "alice"))
        db.session.commit()
        assert db.session.scalars(select(LoginSession)).all() == []
    _assert_problem(client.get("/me/", headers=bearer(tokens["access_token"])), 401)
    _assert_problem(_refresh(client, tokens), 401)


def test_the_spec_documents_the_session_endpoints(client):
    spec = client.get("/openapi.json").json
    paths = spec["paths"]
    refresh = paths["/token/refresh/"]["post"]
    assert refresh["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TokenPair"
    )
    assert "401" in refresh["responses"]
    assert refresh["security"] == [{"refreshToken": []}]  # its own scheme: the refresh token
    password = paths["/password/"]["post"]
    assert {"204", "401", "403", "422"} <= set(password["responses"])
    body = spec["components"]["schemas"]["PasswordChange"]
    assert body["required"] == ["current_password", "new_password"]
    assert (
        body["properties"]["new_password"]["minLength"],
        body["properties"]["new_password"]["maxLength"],
    ) == (8, 128)
    assert {"204", "401"} <= set(paths["/logout/all/"]["post"]["responses"])
    assert all(paths[path]["post"]["summary"] for path in ("/password/", "/logout/all/"))
