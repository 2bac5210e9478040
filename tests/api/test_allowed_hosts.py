"""ALLOWED_HOSTS: links are built from the Host (or a trusted proxy's X-Forwarded-Host), so
any other host name is 400 problem+json before a view or a 404 can answer."""

import pytest
from sqlalchemy import func, select

from src import create_app
from src.exports.models import Export
from src.extensions import db
from tests.conftest import settings_for_tests

EVIL = "evil.example"


def _refused(response):
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "ALLOWED_HOSTS" in response.json["detail"]
    assert EVIL not in response.get_data(as_text=True)
    assert "Location" not in response.headers


def test_a_list_for_another_host_is_400_without_links(client, user_headers):
    response = client.get("/catalog/movies/?page_size=1", headers={**user_headers, "Host": EVIL})
    _refused(response)


def test_an_unknown_path_for_another_host_is_400_not_404(client):
    _refused(client.get("/no-such-page/", headers={"Host": f"{EVIL}:8000"}))


def test_an_export_for_another_host_is_400_and_not_queued(app, client, user_headers):
    response = client.post("/exports/", json={}, headers={**user_headers, "Host": EVIL})
    _refused(response)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Export)) == 0


def test_a_trusted_proxys_forwarded_host_not_allowed_is_400(client):
    # The test client's peer is 127.0.0.1, a trusted proxy by default.
    _refused(client.get("/healthz", headers={"X-Forwarded-Host": EVIL}))


def test_an_untrusted_peers_forwarded_host_is_ignored(client, user_headers):
    response = client.get(
        "/catalog/movies/?page_size=1",
        headers={**user_headers, "X-Forwarded-Host": EVIL},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 200
    assert EVIL not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:8000", "LOCALHOST", "127.0.0.1:5000", "[::1]", "[::1]:8000", "[0::1]"],
)
def test_the_development_names_are_allowed_on_any_port(client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["localhost.evil.example", "localhost@evil.example", "::1", ""])
def test_lookalikes_of_an_allowed_host_are_refused(client, host):
    response = client.get("/healthz", environ_overrides={"HTTP_HOST": host})
    assert response.status_code == 400


@pytest.fixture
def movies_org(tmp_path):
    settings = settings_for_tests(f"sqlite:///{tmp_path}/hosts.db", str(tmp_path))
    app = create_app({**settings, "ALLOWED_HOSTS": ["Movies.Example.org", "[2001:db8::1]"]})
    return app.test_client()


def test_configured_hosts_are_allowed_and_others_not(movies_org):
    assert movies_org.get("/healthz", headers={"Host": "movies.example.org"}).status_code == 200
    assert movies_org.get("/healthz", headers={"Host": "[2001:db8::1]:443"}).status_code == 200
    assert movies_org.get("/healthz", headers={"Host": "localhost"}).status_code == 400
