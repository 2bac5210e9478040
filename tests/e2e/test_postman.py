"""The Postman collection, run by newman against a live server started from this checkout."""

import os
import subprocess

import pytest

from tests.support.processes import REPO_ROOT, migrate, run_flask, running_gunicorn
from tests.support.simulator import running_simulator

NEWMAN = REPO_ROOT / "postman" / "node_modules" / ".bin" / "newman"
ADMIN_PASSWORD = "postman-admin-password"

pytestmark = pytest.mark.skipif(
    not NEWMAN.exists() and not os.environ.get("CI"),
    reason="newman is not installed (scripts/test-tools.sh installs it; CI never skips this)",
)


def test_the_whole_collection_passes_with_newman(tmp_path):
    with running_simulator() as simulator:
        env = {
            "DATABASE_URL": f"sqlite:///{tmp_path}/postman.db",
            "INSTANCE_DIR": str(tmp_path),
            "CINEMAWORLD_URL": f"{simulator.url}/api/cinemaworld",
            "FILMWORLD_URL": f"{simulator.url}/api/filmworld",
            "MOVIE_LIST_URL": f"{simulator.url}/api/v1/maya/movies/",
        }
        migrate(env)
        run_flask(
            "create-admin", "--username", "postman_admin", "--password", ADMIN_PASSWORD, env=env
        )
        with running_gunicorn(env, workers=1, threads=4) as server:
            result = subprocess.run(
                [
                    str(NEWMAN),
                    "run",
                    "postman/movie-service.postman_collection.json",
                    "-e",
                    "postman/local.postman_environment.json",
                    "--env-var",
                    f"baseUrl={server.url}",
                    "--env-var",
                    "adminUsername=postman_admin",
                    "--env-var",
                    f"adminPassword={ADMIN_PASSWORD}",
                    "--reporters",
                    "cli",
                    "--color",
                    "off",
                    "--timeout-request",
                    "15000",
                ],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "assertions" in result.stdout
