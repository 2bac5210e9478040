from flask_jwt_extended import create_access_token

from src import create_app
from tests.conftest import bearer, settings_for_tests


def _app_without_a_database(tmp_path):
    # Nothing listens on port 9 of loopback: every connection attempt is refused at once.
    settings = settings_for_tests("postgresql://postgres@127.0.0.1:9/none", str(tmp_path))
    return create_app(settings)


def test_a_request_needing_the_database_gets_a_quick_503_problem(tmp_path):
    app = _app_without_a_database(tmp_path)
    with app.app_context():
        token = create_access_token(identity="1", additional_claims={"sid": "s"})
    response = app.test_client().get("/catalog/movies/", headers=bearer(token))
    assert response.status_code == 503
    assert response.content_type == "application/problem+json"
    assert response.headers["Retry-After"] == "2"
    assert "database" in response.json["detail"]


def test_readiness_fails_while_liveness_holds(tmp_path):
    client = _app_without_a_database(tmp_path).test_client()
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_login_with_the_database_down_is_503_not_401(tmp_path):
    response = (
        _app_without_a_database(tmp_path)
        .test_client()
        .post("/login/", json={"username": "alice", "password": "long-enough-password"})
    )
    assert response.status_code == 503
