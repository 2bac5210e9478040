"""Fixtures of the database-level tests."""

from collections.abc import Iterator

import pytest
from flask import Flask

from src import create_app
from src.extensions import db
from tests.conftest import database_of_its_own, settings_for_tests


@pytest.fixture
def empty_app(backend: str, tmp_path) -> Iterator[Flask]:
    """An app on a database of its own with no tables yet (migration tests build from it)."""
    with database_of_its_own(backend, "migration", tmp_path) as url:
        application = create_app(settings_for_tests(url, str(tmp_path)))
        yield application
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
