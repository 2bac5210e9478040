import pytest

from src import create_app
from tests.conftest import PASSWORD, bearer, settings_for_tests


@pytest.fixture
def limited_client(tmp_path):
    import flask_migrate

    settings = settings_for_tests(f"sqlite:///{tmp_path}/limits.db", str(tmp_path))
    app = create_app(
        {
            **settings,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_AUTH": "3 per minute",
            "RATELIMIT_DEFAULT": "5 per minute",
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
    return app.test_client()


def _login(client, address):
    return client.post(
        "/login/",
        json={"username": "nobody", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )


def test_login_is_limited_per_client_address_with_problem_and_retry_after(limited_client):
    statuses = [_login(limited_client, "192.0.2.1").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    limited = _login(limited_client, "192.0.2.1")
    assert limited.content_type == "application/problem+json"
    assert limited.json["status"] == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert _login(limited_client, "192.0.2.2").status_code == 401


def test_the_api_is_limited_per_user_not_per_address(limited_client):
    first = limited_client.post("/register/", json={"username": "first", "password": PASSWORD})
    second = limited_client.post("/register/", json={"username": "second", "password": PASSWORD})
    one, two = bearer(first.json["access_token"]), bearer(second.json["access_token"])
    statuses = [limited_client.get("/me/", headers=one).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert limited_client.get("/me/", headers=two).status_code == 200


def test_health_checks_are_never_limited(limited_client):
    assert {limited_client.get("/healthz").status_code for _ in range(8)} == {200}
