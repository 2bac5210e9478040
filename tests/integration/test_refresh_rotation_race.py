"""Two database sessions spend the same refresh token at once: exactly one rotates it.

Session A rotates and holds its transaction open; session B tries the same rotation while A's
write is uncommitted, then A commits. A read-then-write rotation lets B read the old jti and
win too (two live refresh tokens for one session); the conditional UPDATE makes B wait for A
and find nothing to update.
"""

import threading
import time
from datetime import timedelta

from sqlalchemy import select

from src.accounts import repository
from src.accounts.models import LoginSession
from src.columns import utcnow
from src.extensions import db
from tests.api.test_login_sessions import _claims
from tests.conftest import PASSWORD

JOIN_LIMIT_S = 30
# How long A keeps its write uncommitted once B has started: B's rotation runs into it.
HOLD_S = 0.5


def _rotate_in_own_session(app, presented, new_jti, results, *, wrote=None, hold=None):
    with app.app_context():
        expires_at = utcnow() + timedelta(days=1)
        won = repository.rotate_refresh(
            sid=presented["sid"],
            presented_jti=presented["jti"],
            new_jti=new_jti,
            expires_at=expires_at,
        )
        if wrote is not None:
            wrote.set()
        if hold is not None:
            hold.wait(JOIN_LIMIT_S)
            time.sleep(HOLD_S)
        db.session.commit()
    results[new_jti] = won


def test_two_sessions_spending_one_refresh_token_rotate_it_once(isolated_app):
    response = isolated_app.test_client().post(
        "/register/", json={"username": "race-two-sessions", "password": PASSWORD}
    )
    presented = _claims(response.json["refresh_token"])
    results: dict[str, bool] = {}
    a_wrote, b_started = threading.Event(), threading.Event()
    first = threading.Thread(
        target=_rotate_in_own_session,
        args=(isolated_app, presented, "jti-a", results),
        kwargs={"wrote": a_wrote, "hold": b_started},
    )
    second = threading.Thread(
        target=_rotate_in_own_session, args=(isolated_app, presented, "jti-b", results)
    )
    first.start()
    assert a_wrote.wait(JOIN_LIMIT_S)
    second.start()
    b_started.set()
    for thread in (first, second):
        thread.join(JOIN_LIMIT_S)
    assert results == {"jti-a": True, "jti-b": False}
    with isolated_app.app_context():
        stored = db.session.scalars(
            select(LoginSession.refresh_jti).where(LoginSession.sid == presented["sid"])
        ).one()
    assert stored == "jti-a"
