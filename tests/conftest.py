"""Fixtures: the app on each database backend, built by the real migrations, and a
transaction per test that is rolled back (SQLAlchemy's "join an external transaction")."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.globals import app_ctx
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import scoped_session, sessionmaker

from config import database_url
from src import create_app
from src.clients.outbound import reset_upstream_state
from src.extensions import db
from tests.support.simulator import RunningSimulator, running_simulator

SUITE_POSTGRES_URL = database_url(os.environ.get("TEST_DATABASE_URL", ""))
# Under pytest-xdist (make test runs it) each worker process has a database of its own,
# made from TEST_DATABASE_URL's name and the worker's (test_gw0, ...), beside it on its server.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_database_url(url: str, worker: str) -> str:
    """url, or the same server's database named for this worker when there is one."""
    if not (url and worker):
        return url
    suite = make_url(url)
    return suite.set(database=f"{suite.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = worker_database_url(SUITE_POSTGRES_URL, XDIST_WORKER)
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "correct-horse-battery"
# Distinctive, so that a test can look for it anywhere it must never appear.
SIMULATOR_PROVIDER_TOKEN = "sim-provider-token-7f3a9c"  # noqa: S105 (a test value)
# What the session's simulator accepts and the app under test sends (whatever the shell says).
SIMULATOR_CREDENTIALS = {
    "PROVIDER_API_TOKEN": SIMULATOR_PROVIDER_TOKEN,
    "MOVIE_LIST_USERNAME": "test-movie-list-user",
    "MOVIE_LIST_PASSWORD": "test-movie-list-password",
}

if os.environ.get("CI") and not POSTGRES_URL:
    pytest.exit("CI must run the Postgres tests: set TEST_DATABASE_URL", returncode=3)


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_URL != SUITE_POSTGRES_URL:
        _recreate_database(POSTGRES_URL)


def pytest_unconfigure(config: pytest.Config) -> None:
    if POSTGRES_URL != SUITE_POSTGRES_URL:
        _drop_database(POSTGRES_URL)


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: there only when xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """make test's --dist loadgroup: a file or an xdist_group a unit, the slow ones first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.support.scheduling import FileScheduling  # imports xdist

    return FileScheduling(config, log)


def reset_postgres(url: str) -> None:
    """An empty public schema, so that the migrations build everything."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def settings_for_tests(
    database_url: str, instance_dir: str, simulator_url: str | None = None
) -> dict[str, Any]:
    """Settings for an app under test: fast password hashing, quiet access log, and the
    upstreams on the simulator at simulator_url when given."""
    upstreams = {} if simulator_url is None else simulator_settings(simulator_url)
    return {
        **upstreams,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": instance_dir,
        "EXPORT_DIR": os.path.join(instance_dir, "exports"),
        "QUEUE_URL": f"sqlite:///{instance_dir}/queue.db",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST_KIB": 1024,
        "ACCESS_LOG": False,
        "RATELIMIT_ENABLED": False,
        "REQUEST_COUNTER_ENABLED": False,
        "TESTING": True,
    }


def simulator_settings(simulator_url: str) -> dict[str, Any]:
    """The app's upstream URLs and credentials for a simulator that has SIMULATOR_CREDENTIALS."""
    return {
        "CINEMAWORLD_URL": f"{simulator_url}/api/cinemaworld",
        "FILMWORLD_URL": f"{simulator_url}/api/filmworld",
        "MOVIE_LIST_URL": f"{simulator_url}/api/v1/maya/movies/",
        **SIMULATOR_CREDENTIALS,
    }


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    """One provider simulator for the session; the `app` under test calls it (seeded errors)."""
    env = {
        **SIMULATOR_CREDENTIALS,
        "SIM_SEED": "20261121",
        "SIM_FAULTS": None,
        "SIM_PROVIDER_DATA_DIR": None,
    }
    with running_simulator(env=env | {"SIM_MOVIELIST_SIZE": None}) as running:
        yield running


@pytest.fixture
def fresh_upstreams(simulator: RunningSimulator) -> Iterator[RunningSimulator]:
    """Breakers closed and sessions new before the test; no faults left after it."""
    reset_upstream_state()
    yield simulator
    simulator.reset_faults()
    reset_upstream_state()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class BackendApps:
    """Each backend's app under test, built by the migrations when a test first asks for it
    and kept until the session ends (an xdist worker's files alternate between backends)."""

    def __init__(
        self, stack: ExitStack, tmp_path_factory: pytest.TempPathFactory, sim: RunningSimulator
    ) -> None:
        self._stack, self._tmp_path_factory, self._simulator = stack, tmp_path_factory, sim
        self._apps: dict[str, Flask] = {}

    def get(self, backend: str) -> Flask:
        if backend not in self._apps:
            instance_dir = self._tmp_path_factory.mktemp(f"instance-{backend}")
            if backend == "postgres":
                reset_postgres(POSTGRES_URL)
                url = POSTGRES_URL
            else:
                url = f"sqlite:///{instance_dir}/test.db"
            app = migrated_app(url, str(instance_dir), self._simulator)
            self._apps[backend] = self._stack.enter_context(app)
        return self._apps[backend]


@pytest.fixture(scope="session")
def backend_apps(
    tmp_path_factory: pytest.TempPathFactory, simulator: RunningSimulator
) -> Iterator[BackendApps]:
    with ExitStack() as stack:
        yield BackendApps(stack, tmp_path_factory, simulator)


@pytest.fixture(scope="session")
def app(backend: str, backend_apps: BackendApps) -> Flask:
    return backend_apps.get(backend)


@contextmanager
def migrated_app(url: str, instance_dir: str, simulator: RunningSimulator) -> Iterator[Flask]:
    """An app under test on the database at url, built by the real migrations."""
    application = create_app(settings_for_tests(url, instance_dir, simulator.url))
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def postgres_database(name: str) -> Iterator[str]:
    """A new, empty database beside the test database, dropped afterwards."""
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _recreate_database(url)
    try:
        yield url
    finally:
        _drop_database(url)


def _recreate_database(url: str) -> None:
    """An empty database at url, made on its server from the suite's database."""
    _on_server(
        f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)',
        f'CREATE DATABASE "{make_url(url).database}"',
    )


def _drop_database(url: str) -> None:
    _on_server(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _on_server(*statements: str) -> None:
    # Connected to the suite's database, which a worker's database is made beside.
    admin = create_engine(SUITE_POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        admin.dispose()


@contextmanager
def database_of_its_own(backend: str, suffix: str, folder: str | os.PathLike[str]) -> Iterator[str]:
    """The URL of a new, empty database for `backend`: on Postgres beside the test database
    (named after it and `suffix`, dropped afterwards), on SQLite a file in `folder`."""
    if backend == "postgres":
        with postgres_database(f"{make_url(POSTGRES_URL).database}_{suffix}") as url:
            yield url
    else:
        yield f"sqlite:///{folder}/{suffix}.db"


@pytest.fixture(scope="module")
def isolated_app(
    backend: str, tmp_path_factory: pytest.TempPathFactory, simulator: RunningSimulator
) -> Iterator[Flask]:
    """An app on a database of its own whose writes really commit (background threads
    included), for tests that cannot share the rolled-back test connection."""
    instance_dir = tmp_path_factory.mktemp(f"isolated-{backend}")
    with ExitStack() as stack:
        url = stack.enter_context(database_of_its_own(backend, "isolated", instance_dir))
        yield stack.enter_context(migrated_app(url, str(instance_dir), simulator))


def _app_context_id() -> int:
    # One session per app context (a request, a CLI command), as Flask-SQLAlchemy scopes its
    # own; app_ctx is Flask's public proxy of the current app context.
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


@pytest.fixture
def rollback_db(app: Flask) -> Iterator[None]:
    """Every session of this test works inside one outer transaction, rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    db.session = scoped_session(factory, scopefunc=_app_context_id)  # type: ignore[assignment]
    try:
        yield
    finally:
        # Each app context (request, CLI command) removed its own session at teardown.
        db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, rollback_db: None) -> FlaskClient:
    return app.test_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def register(client: FlaskClient) -> Callable[..., dict[str, str]]:
    """Register a user through the API; returns its token pair."""

    def _register(username: str, password: str = PASSWORD) -> dict[str, str]:
        response = client.post("/register/", json={"username": username, "password": password})
        assert response.status_code == 201, response.json
        return dict(response.json)

    return _register


@pytest.fixture
def user_headers(register: Callable[..., dict[str, str]]) -> dict[str, str]:
    return bearer(register("reader")["access_token"])


def new_admin_headers(app: Flask) -> dict[str, str]:
    """The headers of an admin made now by `create-admin` on `app` (a name of its own), logged
    in through `app`: for apps that commit for real, beside the rolled-back test session."""
    username = f"root-{uuid.uuid4().hex[:8]}"
    args = ["create-admin", "--username", username, "--password", PASSWORD]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    body = {"username": username, "password": PASSWORD}
    return bearer(app.test_client().post("/login/", json=body).json["access_token"])


@pytest.fixture
def admin_headers(app: Flask, client: FlaskClient) -> dict[str, str]:
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "root", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    response = client.post("/login/", json={"username": "root", "password": PASSWORD})
    return bearer(response.json["access_token"])
