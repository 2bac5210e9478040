"""outbound_call (src/database.py): the one way a request lets go of its connection before
it calls an upstream."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from src.accounts.models import User
from src.clients.outbound import remaining_s
from src.database import outbound_call
from src.extensions import db


def test_uncommitted_writes_are_refused_rather_than_lost(app, rollback_db):
    with app.test_request_context("/", method="POST"):
        db.session.add(User(username="never-stored", password_hash="x", role="user"))
        with pytest.raises(RuntimeError, match="commit"), outbound_call(1.0):
            pytest.fail("the block must not run")
        db.session.rollback()


def test_rows_loaded_before_the_call_stay_usable_after(app, rollback_db, register):
    register("loaded-before")
    with app.test_request_context("/movies/", method="GET"):
        user = db.session.execute(select(User).filter_by(username="loaded-before")).scalar_one()
        with outbound_call(2.0):
            left = remaining_s()
            assert left is not None and 0 < left <= 2.0
        assert user in db.session
        assert user.username == "loaded-before"
