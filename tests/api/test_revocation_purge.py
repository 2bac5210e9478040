from datetime import datetime, timedelta

from sqlalchemy import select, update

from src.accounts.models import LoginSession, User
from src.accounts.service import purge_expired_sessions
from src.columns import utcnow
from src.extensions import db
from src.worker import job_queue
from tests.conftest import bearer


def test_purge_forgets_only_sessions_whose_tokens_expired(app, client, register):
    expired = register("alice")
    live = register("bob")
    client.post("/logout/", headers=bearer(live["access_token"]))  # revoked, not yet expired
    with app.app_context():
        alice_id = db.session.scalars(select(User.id).where(User.username == "alice")).one()
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.user_id == alice_id)
            .values(expires_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
        assert purge_expired_sessions(now=utcnow()) == 1
        assert len(db.session.scalars(select(LoginSession)).all()) == 1
    me = client.get("/me/", headers=bearer(live["access_token"]))
    assert me.status_code == 401  # the live revocation is kept
    assert client.get("/me/", headers=bearer(expired["access_token"])).status_code == 401


def test_the_worker_purges_once_a_day_at_three_seventeen_utc(app):
    huey = job_queue(app).huey

    def due_at(hour, minute):
        moment = datetime(2026, 11, 22, hour, minute)  # huey compares naive UTC times
        return {task.name for task in huey.read_periodic(moment)}

    assert "accounts.purge" in due_at(3, 17)
    assert "accounts.purge" not in due_at(3, 18)
