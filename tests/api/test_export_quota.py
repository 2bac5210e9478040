"""At most EXPORT_MAX_PENDING (3) queued or running exports per user; one more is 429."""

import threading
import uuid
from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import func, select, update

from src import create_app
from src.columns import utcnow
from src.exports import runner
from src.exports import service as exports_service
from src.exports.models import Export
from src.extensions import db
from tests.conftest import PASSWORD, bearer, settings_for_tests


@pytest.fixture
def post_export(client, user_headers):
    def _post(headers=None, **body):
        return client.post("/exports/", json=body, headers=headers or user_headers)

    return _post


def _fill_quota(post_export, headers=None):
    ids = []
    for _ in range(3):
        response = post_export(headers=headers)
        assert response.status_code == 202, response.json
        ids.append(response.json["id"])
    return ids


def _listed(client, headers):
    return [item["id"] for item in client.get("/exports/", headers=headers).json["data"]]


def test_the_fourth_pending_export_is_429_and_stores_nothing(client, post_export, user_headers):
    ids = _fill_quota(post_export)
    response = post_export()
    assert response.status_code == 429
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json["status"] == 429
    assert "3" in response.json["detail"]
    assert response.headers["Retry-After"] == str(exports_service.QUOTA_POLL_S)
    assert sorted(_listed(client, user_headers)) == sorted(ids)


def test_a_finished_export_frees_its_slot(app, post_export):
    first, *_ = _fill_quota(post_export)
    with app.app_context():
        runner.run_export(export_id=uuid.UUID(first))
    assert post_export().status_code == 202
    assert post_export().status_code == 429


def test_a_failed_export_frees_its_slot(app, post_export):
    first, *_ = _fill_quota(post_export)
    _set(app, first, status="failed", finished_at=utcnow())
    assert post_export().status_code == 202


def test_other_users_and_the_daily_export_do_not_count(app, post_export, register):
    with app.app_context():
        for days in range(3):  # system-made: no requester, whatever the user's quota
            exports_service.create_daily_export(now=utcnow() - timedelta(days=days))
    other = bearer(register("mallory")["access_token"])
    _fill_quota(post_export, headers=other)
    _fill_quota(post_export)


def test_admins_have_the_same_quota(post_export, admin_headers):
    _fill_quota(post_export, headers=admin_headers)
    assert post_export(headers=admin_headers).status_code == 429


def test_the_quota_follows_export_max_pending(app, post_export, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_MAX_PENDING", 1)
    assert post_export().status_code == 202
    assert post_export().status_code == 429


def test_retry_after_is_when_the_soonest_back_off_ends(app, post_export):
    ids = _fill_quota(post_export)
    later = utcnow() + timedelta(seconds=100)
    for offset, export_id in enumerate(ids):
        _set(app, export_id, not_before=later + timedelta(seconds=60 * offset))
    response = post_export()
    assert response.status_code == 429
    assert 98 <= int(response.headers["Retry-After"]) <= 100


def test_retry_after_is_short_while_one_is_running(app, post_export):
    ids = _fill_quota(post_export)
    for export_id in ids:
        _set(app, export_id, not_before=utcnow() + timedelta(hours=1))
    _set(app, ids[0], status="running", attempts=1, lease_expires_at=utcnow())
    response = post_export()
    assert response.headers["Retry-After"] == str(exports_service.QUOTA_POLL_S)


def test_a_refused_body_is_422_even_over_the_quota(post_export):
    _fill_quota(post_export)
    assert post_export(since="not a date").status_code == 422


def _set(app, export_id, **values):
    with app.app_context():
        statement = update(Export).where(Export.id == uuid.UUID(export_id)).values(**values)
        db.session.execute(statement)
        db.session.commit()


def test_concurrent_requests_never_pass_the_quota_together(isolated_app):
    """Ten requests of one user at once, committed for real: exactly three get through."""
    client = isolated_app.test_client()
    username = f"racer-{uuid.uuid4().hex[:8]}"
    tokens = client.post("/register/", json={"username": username, "password": PASSWORD}).json
    headers = bearer(tokens["access_token"])
    start = threading.Barrier(10)
    statuses = []

    def race():
        start.wait()
        response = isolated_app.test_client().post("/exports/", json={}, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=race) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [202] * 3 + [429] * 7
    with isolated_app.app_context():
        user_id = client.get("/me/", headers=headers).json["id"]
        stored = db.session.scalar(
            select(func.count()).select_from(Export).where(Export.requested_by == user_id)
        )
    assert stored == 3


def test_the_rate_limiter_keeps_the_quotas_retry_after(tmp_path):
    settings = settings_for_tests(f"sqlite:///{tmp_path}/limited.db", str(tmp_path))
    limited = create_app({**settings, "RATELIMIT_ENABLED": True})
    with limited.app_context():
        flask_migrate.upgrade()
    client = limited.test_client()
    tokens = client.post("/register/", json={"username": "limited", "password": PASSWORD}).json
    headers = bearer(tokens["access_token"])
    for _ in range(3):
        assert client.post("/exports/", json={}, headers=headers).status_code == 202
    refused = client.post("/exports/", json={}, headers=headers)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(exports_service.QUOTA_POLL_S)
