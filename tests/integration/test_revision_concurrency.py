"""Revisions under concurrent writers, committed for real (the isolated database): writers
queue on the revision's row and every bump counts; concurrent catalog writes all land in it."""

from __future__ import annotations

import threading
import time
import uuid

from src import revisions
from src.catalog.service import CATALOG_REVISION
from src.extensions import db
from tests.conftest import PASSWORD, bearer

HOLD_S = 0.3
WRITERS = 4


def _current(app, name):
    with app.app_context():
        revision = revisions.current(name)
        db.session.rollback()
        return revision


def test_a_second_writer_waits_for_the_first_and_both_bumps_count(isolated_app):
    name = f"test:concurrent-{uuid.uuid4().hex[:8]}"
    first_bumped = threading.Event()
    seen = {}

    def first():
        with isolated_app.app_context():
            revisions.bump(name)
            first_bumped.set()
            time.sleep(HOLD_S)  # the second writer's bump waits on the row meanwhile
            seen["first committed"] = time.monotonic()
            db.session.commit()

    def second():
        assert first_bumped.wait(timeout=10)
        with isolated_app.app_context():
            revisions.bump(name)
            seen["second bumped"] = time.monotonic()
            db.session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert seen["second bumped"] >= seen["first committed"]
    assert _current(isolated_app, name).value == 2


def test_a_rolled_back_bump_never_names_a_later_committed_revision(isolated_app):
    name = f"test:rollback-{uuid.uuid4().hex[:8]}"
    with isolated_app.app_context():
        revisions.bump(name)
        rolled_back = revisions.current(name)  # as the failed write's own transaction saw it
        db.session.rollback()
        revisions.bump(name)
        db.session.commit()
        committed = revisions.current(name)
        db.session.rollback()
    assert rolled_back.value == committed.value == 1
    assert rolled_back != committed  # the stamps differ: no answer kept for one serves the other


def test_concurrent_catalog_writes_each_bump_the_catalog_revision(isolated_app):
    runner = isolated_app.test_cli_runner()
    username = f"revision-admin-{uuid.uuid4().hex[:8]}"
    result = runner.invoke(args=["create-admin", "--username", username, "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    login = {"username": username, "password": PASSWORD}
    token = isolated_app.test_client().post("/login/", json=login).json["access_token"]
    before = _current(isolated_app, CATALOG_REVISION)
    start = threading.Barrier(WRITERS)
    statuses = []

    def write(number):
        client = isolated_app.test_client()
        body = {"title": f"Concurrent {number}", "format": "DVD", "length": 90}
        body |= {"release_year": 2000, "rating": 3, "genres": ["Shared", f"Own {number}"]}
        start.wait(timeout=10)
        response = client.post("/catalog/movies/", json=body, headers=bearer(token))
        statuses.append(response.status_code)

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201] * WRITERS
    assert _current(isolated_app, CATALOG_REVISION).value == before.value + WRITERS
    listing = isolated_app.test_client().get("/catalog/movies/?q=concurrent", headers=bearer(token))
    assert listing.json["count"] == WRITERS


def test_several_revisions_are_read_in_one_statement(isolated_app):
    names = [f"test:many-{uuid.uuid4().hex[:8]}" for _ in range(3)]
    with isolated_app.app_context():
        revisions.bump(names[0])
        revisions.bump(names[1])
        revisions.bump(names[1])
        db.session.commit()
        found = revisions.current_many(names)
        db.session.rollback()
    assert [found[name].value for name in names] == [1, 2, 0]
    assert found[names[2]] == revisions.NO_REVISION
