"""Files live EXPORT_RETENTION_DAYS (7) after the export finished; then the purge deletes them
(download: 410 Gone) and keeps the row as long again as a tombstone, then deletes that too."""

import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from src.columns import utcnow
from src.exports import runner
from src.exports.models import Export
from src.exports.retention import purge_expired_exports
from src.extensions import db
from src.worker import job_queue

DAY = timedelta(days=1)


@pytest.fixture
def export_dir(app, tmp_path, monkeypatch):
    directory = tmp_path / "exports"
    monkeypatch.setitem(app.config, "EXPORT_DIR", str(directory))
    return directory


@pytest.fixture
def finished_export(app, client, user_headers, export_dir):
    """A succeeded export of the user's, finished `age` ago; returns its id."""

    def _make(age):
        export_id = client.post("/exports/", json={}, headers=user_headers).json["id"]
        with app.app_context():
            runner.run_export(export_id=uuid.UUID(export_id))
        _set(app, export_id, finished_at=utcnow() - age)
        return export_id

    return _make


def _set(app, export_id, **values):
    with app.app_context():
        statement = update(Export).where(Export.id == uuid.UUID(export_id)).values(**values)
        db.session.execute(statement)
        db.session.commit()


def _purge(app, now=None):
    with app.app_context():
        return purge_expired_exports(now=now or utcnow())


def _download(client, export_id, headers):
    response = client.get(f"/exports/{export_id}/download/", headers=headers)
    response.get_data()
    response.close()
    return response


def test_an_export_past_retention_is_purged_and_its_download_is_410(
    app, client, user_headers, finished_export, export_dir
):
    export_id = finished_export(7 * DAY + timedelta(minutes=1))
    assert (export_dir / f"{export_id}.csv").is_file()
    report = _purge(app)
    assert (report.purged, report.files_removed) == (1, 1)
    assert not (export_dir / f"{export_id}.csv").exists()
    download = _download(client, export_id, user_headers)
    assert download.status_code == 410
    assert download.headers["Content-Type"] == "application/problem+json"
    assert "purged" in download.json["detail"] and "7 days" in download.json["detail"]
    export = client.get(f"/exports/{export_id}/", headers=user_headers).json
    assert (export["status"], export["download_url"]) == ("purged", None)
    assert datetime.fromisoformat(export["purged_at"]) > utcnow() - timedelta(minutes=1)
    assert export["rows"] == 0  # what it was stays readable


def test_an_export_within_retention_is_kept(app, client, user_headers, finished_export):
    export_id = finished_export(7 * DAY - timedelta(minutes=1))
    assert _purge(app).purged == 0
    assert _download(client, export_id, user_headers).status_code == 200


def test_the_retention_follows_export_retention_days(
    app, client, user_headers, finished_export, monkeypatch
):
    export_id = finished_export(2 * DAY)
    monkeypatch.setitem(app.config, "EXPORT_RETENTION_DAYS", 1)
    _purge(app)
    assert _download(client, export_id, user_headers).status_code == 410


def test_a_failed_export_is_purged_too(app, client, user_headers, export_dir):
    export_id = client.post("/exports/", json={}, headers=user_headers).json["id"]
    export_dir.mkdir()
    leftover = export_dir / f".{export_id}.1.part"  # what a killed attempt left
    leftover.write_text("half")
    _set(app, export_id, status="failed", attempts=5, finished_at=utcnow() - 8 * DAY)
    assert _download(client, export_id, user_headers).status_code == 409
    assert _purge(app).purged == 1
    assert _download(client, export_id, user_headers).status_code == 410
    assert not leftover.exists()


def test_pending_exports_are_never_purged(app, client, user_headers):
    export_id = client.post("/exports/", json={}, headers=user_headers).json["id"]
    _set(app, export_id, created_at=utcnow() - 30 * DAY, not_before=utcnow() - 30 * DAY)
    assert _purge(app).purged == 0
    assert client.get(f"/exports/{export_id}/", headers=user_headers).json["status"] == "queued"


def test_a_tombstone_is_forgotten_after_another_retention(
    app, client, user_headers, finished_export
):
    export_id = finished_export(8 * DAY)
    _purge(app)
    assert _purge(app, now=utcnow() + 6 * DAY).forgotten == 0
    assert _download(client, export_id, user_headers).status_code == 410
    assert _purge(app, now=utcnow() + 7 * DAY + timedelta(minutes=1)).forgotten == 1
    assert client.get(f"/exports/{export_id}/", headers=user_headers).status_code == 404


def test_files_of_exports_that_no_longer_exist_are_deleted(app, finished_export, export_dir):
    kept = finished_export(DAY)
    orphan = export_dir / f"{uuid.uuid4()}.csv"  # e.g. its user was deleted (rows cascade)
    orphan.write_text("id\n")
    stranger = export_dir / "README.txt"  # not named like an export: not ours to delete
    stranger.write_text("operator's note")
    assert _purge(app).files_removed == 1
    assert {path.name for path in export_dir.iterdir()} == {"README.txt", f"{kept}.csv"}


def test_purging_twice_changes_nothing_more(app, client, user_headers, finished_export):
    export_id = finished_export(8 * DAY)
    _purge(app)
    first = client.get(f"/exports/{export_id}/", headers=user_headers).json
    report = _purge(app)
    assert (report.purged, report.files_removed, report.forgotten) == (0, 0, 0)
    assert client.get(f"/exports/{export_id}/", headers=user_headers).json == first


def test_the_worker_purges_hourly_through_huey(app, client, user_headers, finished_export):
    huey = job_queue(app).huey
    moment = datetime(2026, 11, 22, 5, 41)  # huey compares naive UTC times
    due = {task.name: task for task in huey.read_periodic(moment)}
    assert "exports.purge" not in {task.name for task in huey.read_periodic(moment + DAY / 24 / 2)}
    export_id = finished_export(8 * DAY)
    huey.execute(due["exports.purge"])  # as the consumer runs it
    assert _download(client, export_id, user_headers).status_code == 410


def test_no_export_directory_yet_is_nothing_to_purge(app, export_dir):
    assert not Path(export_dir).exists()
    assert _purge(app).files_removed == 0
