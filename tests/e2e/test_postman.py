"""The Postman collection, run by newman against a live server started from this checkout."""

import json
import os
import subprocess

import pytest

from tests.support.processes import REPO_ROOT, instance_env, migrate, run_flask, running_gunicorn
from tests.support.simulator import running_simulator

NEWMAN = REPO_ROOT / "postman" / "node_modules" / ".bin" / "newman"
COLLECTION = REPO_ROOT / "postman" / "movie-service.postman_collection.json"
ADMIN_PASSWORD = "postman-admin-password"
NEWMAN_LIMIT_S = 300

pytestmark = pytest.mark.skipif(
    not NEWMAN.exists() and not os.environ.get("CI"),
    reason="newman is not installed (scripts/test-tools.sh installs it; CI never skips this)",
)


def _server_env(tmp_path, simulator_url):
    return {
        # This run's own queue (instance_env's), which no worker consumes: the export stays
        # queued (409).
        **instance_env(tmp_path),
        "EXPORT_DIR": str(tmp_path / "exports"),
        "CINEMAWORLD_URL": f"{simulator_url}/api/cinemaworld",
        "FILMWORLD_URL": f"{simulator_url}/api/filmworld",
        "MOVIE_LIST_URL": f"{simulator_url}/api/v1/maya/movies/",
        # Requests only read the prices: the refresh before newman stores them (see below).
        # As deployed: the collection stays within the login and register limits.
        "RATELIMIT_ENABLED": "true",
    }


def _newman(server_url, report):
    command = [
        str(NEWMAN), "run", str(COLLECTION),
        "-e", "postman/local.postman_environment.json",
        "--env-var", f"baseUrl={server_url}",
        "--env-var", "adminUsername=postman_admin",
        "--env-var", f"adminPassword={ADMIN_PASSWORD}",
        "--reporters", "cli,json", "--reporter-json-export", str(report),
        "--color", "off", "--timeout-request", "15000",
    ]  # fmt: skip
    return subprocess.run(
        command,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=NEWMAN_LIMIT_S,
        check=False,
    )


def _requests_in_collection():
    collection = json.loads(COLLECTION.read_text())
    return [item["name"] for folder in collection["item"] for item in folder["item"]]


def test_the_whole_collection_passes_with_newman(tmp_path):
    report = tmp_path / "newman.json"
    with running_simulator() as simulator:
        env = _server_env(tmp_path, simulator.url)
        migrate(env)
        run_flask(
            "create-admin", "--username", "postman_admin", "--password", ADMIN_PASSWORD, env=env
        )
        # What the worker's periodic refresh does; this run has no worker.
        assert "this refresh: ok" in run_flask("refresh-prices", env=env)
        with running_gunicorn(env, workers=1, threads=4) as server:
            result = _newman(server.url, report)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    run = json.loads(report.read_text())["run"]
    assert run["failures"] == []
    ran = [execution["item"]["name"] for execution in run["executions"]]
    assert ran == _requests_in_collection()  # every request, once, in order
    assert run["stats"]["assertions"]["failed"] == 0
    assert run["stats"]["assertions"]["total"] >= 3 * len(ran)
    codes = {
        execution["item"]["name"]: execution["response"]["code"] for execution in run["executions"]
    }
    assert codes["Download before it has succeeded is 409"] == 409  # no worker ran it
