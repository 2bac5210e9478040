"""What more than one end-to-end module starts: a private Postgres server to stop and start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.private_postgres import PrivatePostgres, private_postgres
from tests.support.processes import instance_env, migrate, run_flask

OPS_USERNAME = "ops"
OPS_PASSWORD = "restart-test-password"  # noqa: S105 (a test value)


@pytest.fixture(scope="session")
def restartable_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    """A Postgres server of the session's own (initdb once), built by the migrations, with the
    admin OPS_USERNAME; each test that stops it starts it again."""
    with private_postgres() as postgres:
        env = instance_env(tmp_path_factory.mktemp("pg"), postgres.url)
        migrate(env)
        run_flask("create-admin", "--username", OPS_USERNAME, "--password", OPS_PASSWORD, env=env)
        yield postgres
