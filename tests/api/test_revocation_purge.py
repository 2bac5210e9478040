from datetime import datetime, timedelta

from sqlalchemy import select

from src.accounts.models import RevokedToken
from src.accounts.service import purge_expired_revocations
from src.columns import utcnow
from src.extensions import db


def test_purge_forgets_only_revocations_of_expired_tokens(app, client, register):
    tokens = register("alice")
    client.post("/logout/", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    with app.app_context():
        user_id = db.session.scalars(select(RevokedToken.user_id)).one()
        db.session.add(
            RevokedToken(jti="old", user_id=user_id, expires_at=utcnow() - timedelta(days=1))
        )
        db.session.commit()
        assert purge_expired_revocations(now=utcnow()) == 1
        assert "old" not in db.session.scalars(select(RevokedToken.jti)).all()
    me = client.get("/me/", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 401  # the live revocation is kept


def test_the_worker_purges_once_a_day_at_three_seventeen_utc(app):
    huey = app.extensions["job_queue"].huey

    def due_at(hour, minute):
        moment = datetime(2026, 11, 22, hour, minute)  # huey compares naive UTC times
        return {task.name for task in huey.read_periodic(moment)}

    assert "accounts.purge" in due_at(3, 17)
    assert "accounts.purge" not in due_at(3, 18)
