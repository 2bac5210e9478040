"""The token check verifies each token once, itself: what it refuses, each a 401 problem.

Every forged token here carries a registered user's real claims (sub, sid, jti), re-signed
with the service's own key, so that only the one property under test is wrong; the first
test shows that such a re-signed token is accepted when nothing is wrong."""

import base64
import json
import time

import jwt
import pytest

from tests.conftest import bearer


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _signed(app, claims, algorithm="HS256", headers=None):
    return jwt.encode(claims, app.config["JWT_SECRET_KEY"], algorithm=algorithm, headers=headers)


def _me(client, token):
    return client.get("/me/", headers=bearer(token))


def _assert_refused(response, detail="The token is not valid."):
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["detail"] == detail
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.fixture
def claims(register):
    return _claims(register("alice")["access_token"])


def test_the_same_claims_signed_again_with_hs256_are_accepted(app, client, claims):
    response = _me(client, _signed(app, claims))
    assert response.status_code == 200
    assert response.json["username"] == "alice"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_algorithm_with_the_right_key_is_refused(app, client, claims):
    _assert_refused(_me(client, _signed(app, claims, algorithm="HS512")))


def test_a_critical_header_extension_is_refused(app, client, claims):
    token = _signed(app, claims, headers={"crit": ["exp"]})
    _assert_refused(_me(client, token))


def test_a_second_spelling_of_the_signature_is_refused(client, register):
    token = register("bob")["access_token"]
    head, _, signature = token.rpartition(".")
    # The last of 43 characters carries 2 unused bits: this one decodes to the same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    twin = alphabet[last ^ 1]
    assert base64.urlsafe_b64decode(signature[:-1] + twin + "=") == base64.urlsafe_b64decode(
        signature + "="
    )
    _assert_refused(_me(client, f"{head}.{signature[:-1]}{twin}"))
    assert _me(client, token).status_code == 200


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_a_token_not_valid_yet_is_refused(app, client, claims, claim):
    _assert_refused(_me(client, _signed(app, {**claims, claim: int(time.time()) + 600})))


def test_a_token_without_an_expiry_is_refused(app, client, claims):
    _assert_refused(_me(client, _signed(app, {k: v for k, v in claims.items() if k != "exp"})))


@pytest.mark.parametrize("exp", ["tomorrow", True, None])
def test_an_expiry_that_is_not_a_number_is_refused(app, client, claims, exp):
    _assert_refused(_me(client, _signed(app, {**claims, "exp": exp})))


def test_a_subject_that_is_not_a_string_is_refused(app, client, claims):
    _assert_refused(_me(client, _signed(app, {**claims, "sub": int(claims["sub"])})))


def test_a_role_the_service_does_not_know_is_refused(app, client, claims):
    _assert_refused(_me(client, _signed(app, {**claims, "role": "root"})))


def test_the_role_is_the_signed_claim(app, client, claims):
    # Only the service's key can sign it, and a role change revokes the user's sessions.
    response = _me(client, _signed(app, {**claims, "role": "admin"}))
    assert response.json["role"] == "admin"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer x, Bearer y", "Basic dXNlcjpwYXNz", "bearer abc", "Token x", ","],
)
def test_anything_but_one_bearer_credential_needs_a_bearer_token(client, authorization):
    response = client.get("/me/", headers={"Authorization": authorization})
    _assert_refused(response, "This endpoint needs a bearer token: Authorization: Bearer <token>.")


@pytest.mark.parametrize(
    "token", ["a.b", "a.b.c.d", "é.b.c", "!!!!.e30.x", "e30.e30.", "W10.e30.x", "eyJ9.e30.x"]
)
def test_malformed_tokens_are_refused(client, token):
    _assert_refused(_me(client, token))


def test_a_bearer_credential_with_extra_words_is_not_valid(client, register):
    token = register("carol")["access_token"]
    _assert_refused(client.get("/me/", headers={"Authorization": f"Bearer {token} extra"}))


def test_another_credential_beside_the_bearer_one_is_ignored(client, register):
    token = register("dave")["access_token"]
    both = {"Authorization": f"Basic dXNlcjpwYXNz, Bearer {token}"}
    assert client.get("/me/", headers=both).status_code == 200
