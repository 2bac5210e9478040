import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from src.columns import utcnow
from src.exports import runner
from src.exports import service as exports_service
from src.exports.models import Export
from src.extensions import db
from tests.conftest import bearer
from tests.support.exports import SAMPLE_EXPORT, insert_observations, parse_csv, sample_history


@pytest.fixture
def request_export(client, user_headers):
    def _request(headers=None, **body):
        return client.post("/exports/", json=body, headers=headers or user_headers)

    return _request


@pytest.fixture
def run_export(app):
    """Run one attempt in this process, as the worker would; returns the retry delay."""

    def _run(export_id):
        with app.app_context():
            return runner.run_export(export_id=uuid.UUID(export_id))

    return _run


def _download(client, url, headers):
    """GET a download, read it whole and release its file."""
    response = client.get(url, headers=headers)
    text = response.get_data(as_text=True)
    response.close()
    return response, text


def _parse(value):
    return datetime.fromisoformat(value)


def test_request_defaults_to_the_last_24_hours(client, request_export, user_headers):
    response = request_export()
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued"
    assert response.headers["Location"].endswith(f"/exports/{response.json['id']}/")
    export = client.get(response.headers["Location"], headers=user_headers).json
    assert export["kind"] == "prices"
    assert _parse(export["until"]) - _parse(export["since"]) == timedelta(hours=24)
    assert abs(_parse(export["until"]) - datetime.now(UTC)) < timedelta(minutes=1)
    assert (export["attempts"], export["rows"], export["download_url"]) == (0, None, None)


def test_dates_mean_midnight_utc(request_export, client, user_headers):
    response = request_export(since="2026-01-01", until="2026-01-03", kind="catalog")
    assert response.status_code == 202, response.json
    export = client.get(f"/exports/{response.json['id']}/", headers=user_headers).json
    assert export["since"] == "2026-01-01T00:00:00+00:00"
    assert export["until"] == "2026-01-03T00:00:00+00:00"
    assert export["kind"] == "catalog"


def test_window_rejects_until_before_since(request_export):
    response = request_export(since="2026-01-02T00:00:00Z", until="2026-01-01T00:00:00Z")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert "until" in response.json["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {"since": "yesterday"},
        {"since": 1700000000},
        {"until": "2026-13-01"},
        {"since": "2026-01-01T00:00:00"},  # no timezone
        {"kind": "everything"},
        {"format": "xlsx"},  # unknown field
        {"since": "2026-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},  # empty window
        {"since": "2024-01-01", "until": "2025-06-01"},  # longer than 366 days
        {"until": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},  # the future
    ],
)
def test_bad_requests_are_refused_with_field_errors(request_export, body):
    response = request_export(**body)
    assert response.status_code == 422, response.json
    assert response.json["errors"]


def test_exports_need_a_token(client):
    assert client.post("/exports/", json={}).status_code == 401
    assert client.get("/exports/").status_code == 401


def test_another_users_export_is_not_found(client, request_export, register):
    export_id = request_export().json["id"]
    other = bearer(register("mallory")["access_token"])
    assert client.get(f"/exports/{export_id}/", headers=other).status_code == 404
    assert client.get(f"/exports/{export_id}/download/", headers=other).status_code == 404


def test_download_before_done_is_a_conflict(client, request_export, user_headers):
    export_id = request_export().json["id"]
    response = client.get(f"/exports/{export_id}/download/", headers=user_headers)
    assert response.status_code == 409
    assert "queued" in response.json["detail"]


def test_users_list_their_own_and_admins_list_all(
    client, request_export, register, admin_headers, user_headers
):
    mine = request_export().json["id"]
    other = bearer(register("mallory")["access_token"])
    theirs = request_export(headers=other).json["id"]
    listed = client.get("/exports/", headers=user_headers).json
    assert [item["id"] for item in listed["data"]] == [mine]
    everything = client.get("/exports/?page_size=100", headers=admin_headers).json
    assert {mine, theirs} <= {item["id"] for item in everything["data"]}
    assert client.get(f"/exports/{theirs}/", headers=admin_headers).status_code == 200


def test_prices_export_has_one_row_per_movie_and_provider(
    app, client, request_export, run_export, user_headers
):
    with app.app_context():
        insert_observations(db.session, sample_history(utcnow()))
        db.session.commit()
    export_id = request_export().json["id"]
    assert run_export(export_id) is None
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["attempts"], export["rows"]) == ("succeeded", 1, 3)
    assert export["download_url"].endswith(f"/exports/{export_id}/download/")
    download, text = _download(client, export["download_url"], user_headers)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert download.headers["Content-Disposition"].startswith(
        'attachment; filename="movies-prices-'
    )
    rows = parse_csv(text)
    assert rows[0][-1] == "last_seen_at"
    assert [row[:-1] for row in rows[1:]] == SAMPLE_EXPORT


def test_catalog_export_lists_movies_changed_in_the_window(
    client, admin_headers, request_export, run_export
):
    movie = {"title": "-Heat", "format": "DVD", "length": 170, "release_year": 1995, "rating": 5}
    created = client.post(
        "/catalog/movies/", json={**movie, "genres": ["Drama", "Crime"]}, headers=admin_headers
    )
    assert created.status_code == 201
    export_id = request_export(headers=admin_headers, kind="catalog").json["id"]
    run_export(export_id)
    _, text = _download(client, f"/exports/{export_id}/download/", admin_headers)
    header, *rows = parse_csv(text)
    assert header[:7] == ["id", "title", "format", "length", "release_year", "rating", "genres"]
    assert [row[:7] for row in rows] == [
        [created.json["id"], "'-Heat", "DVD", "170", "1995", "5", "Crime, Drama"]
    ]


def test_a_failed_attempt_is_retried_with_backoff(
    app, client, request_export, run_export, user_headers, monkeypatch, tmp_path
):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the export directory should be")
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(blocked))
    export_id = request_export().json["id"]
    assert run_export(export_id) == app.config["EXPORT_RETRY_BASE_S"]
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["attempts"]) == ("queued", 1)
    assert "could not write the export file" in export["error"]
    assert str(tmp_path) not in export["error"]
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path / "exports"))
    assert run_export(export_id) is None
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["attempts"], export["error"]) == ("succeeded", 2, None)
    assert [path.name for path in (tmp_path / "exports").iterdir()] == [f"{export_id}.csv"]


def test_an_export_fails_after_its_last_attempt(
    app, client, request_export, run_export, user_headers, monkeypatch, tmp_path
):
    (tmp_path / "blocked").write_text("")
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(tmp_path / "blocked"))
    monkeypatch.setitem(app.config, "EXPORT_MAX_ATTEMPTS", 2)
    export_id = request_export().json["id"]
    delays = [run_export(export_id), run_export(export_id), run_export(export_id)]
    assert delays == [app.config["EXPORT_RETRY_BASE_S"], None, None]
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["attempts"]) == ("failed", 2)
    assert export["error"].startswith("attempt 2: could not write the export file")
    assert export["finished_at"] is not None


def test_running_a_finished_export_again_changes_nothing(
    client, request_export, run_export, user_headers
):
    export_id = request_export().json["id"]
    run_export(export_id)
    first = client.get(f"/exports/{export_id}/", headers=user_headers).json
    run_export(export_id)
    assert client.get(f"/exports/{export_id}/", headers=user_headers).json == first


def _change(app, export_id, **values):
    with app.app_context():
        db.session.execute(update(Export).where(Export.id == uuid.UUID(export_id)).values(**values))
        db.session.commit()


def _expire_lease(app, export_id, attempts):
    past = utcnow() - timedelta(minutes=5)
    _change(
        app, export_id, status="running", attempts=attempts, lease_expires_at=past, not_before=past
    )


def test_reconciler_requeues_the_export_of_a_dead_worker(app, client, request_export, user_headers):
    export_id = request_export().json["id"]
    _expire_lease(app, export_id, attempts=1)
    with app.app_context():
        assert exports_service.reconcile() == [uuid.UUID(export_id)]
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["attempts"]) == ("queued", 1)
    assert "stopped before finishing" in export["error"]


def test_reconciler_gives_up_when_no_attempt_is_left(app, client, request_export, user_headers):
    export_id = request_export().json["id"]
    _expire_lease(app, export_id, attempts=app.config["EXPORT_MAX_ATTEMPTS"])
    with app.app_context():
        assert exports_service.reconcile() == []
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert export["status"] == "failed"


def test_reconciler_requeues_a_queued_export_nobody_picked_up(app, request_export):
    export_id = request_export().json["id"]
    old = utcnow() - timedelta(seconds=app.config["EXPORT_REQUEUE_AFTER_S"] + 60)
    _change(app, export_id, not_before=old)
    with app.app_context():
        assert exports_service.reconcile() == [uuid.UUID(export_id)]
        assert exports_service.reconcile() == []  # not again before another wait


def test_the_daily_export_is_made_once_per_day(app, client, admin_headers):
    now = datetime(2026, 11, 21, 2, 0, 30, tzinfo=UTC)
    with app.app_context():
        first = exports_service.create_daily_export(now=now)
        again = exports_service.create_daily_export(now=now + timedelta(minutes=5))
        assert first is not None and again is None
        export_id = first.id
    export = client.get(f"/exports/{export_id}/", headers=admin_headers).json
    assert export["since"] == "2026-11-20T02:00:00+00:00"
    assert export["until"] == "2026-11-21T02:00:00+00:00"
