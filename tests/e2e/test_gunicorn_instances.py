"""Several gunicorn instances on one host (gunicorn.conf.py's settings): each one serves, and
none of them takes another's control socket or needs a writable home directory for one."""

import pytest
import requests
from gunicorn.ctl.client import ControlClient

from tests.support.processes import instance_env, migrate, running_gunicorn, stop

pytestmark = pytest.mark.e2e

TIMEOUT_S = 10


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instances")
    env = {
        **instance_env(instance),
        "REQUEST_COUNTER_ENABLED": "false",
        # gunicorn's default socket path comes from these: one per user, shared by every instance.
        "XDG_RUNTIME_DIR": None,
        "GUNICORN_CONTROL_SOCKET": None,
    }
    migrate(env)
    return env


def _serves(server) -> bool:
    return requests.get(f"{server.url}/readyz", timeout=TIMEOUT_S).status_code == 200


def _master_pid(socket_path) -> int:
    assert socket_path.is_socket(), f"no control socket at {socket_path}"
    with ControlClient(str(socket_path), timeout=TIMEOUT_S) as client:
        return int(client.send_command("show stats")["pid"])


def test_two_instances_serve_side_by_side_and_write_no_control_socket(server_env, tmp_path):
    # A home of their own shows what they would write there (a read-only root filesystem
    # could hold nothing): gunicorn 27 binds $HOME/.gunicorn/gunicorn.ctl unless told otherwise.
    home = tmp_path / "home"
    home.mkdir()
    env = {**server_env, "HOME": str(home)}
    with running_gunicorn(env, workers=1, threads=2) as first:
        with running_gunicorn(env, workers=1, threads=2) as second:
            assert _serves(first) and _serves(second)
            assert sorted(path.name for path in home.rglob("*")) == []
            logs = first.log_text() + second.log_text()
    assert "control socket" not in logs.lower()


def test_instances_given_their_own_control_sockets_each_answer_on_their_own(server_env, tmp_path):
    sockets = tmp_path / "first.ctl", tmp_path / "second.ctl"
    first_env = {**server_env, "GUNICORN_CONTROL_SOCKET": str(sockets[0])}
    second_env = {**server_env, "GUNICORN_CONTROL_SOCKET": str(sockets[1])}
    with running_gunicorn(first_env, workers=1, threads=2) as first:
        with running_gunicorn(second_env, workers=1, threads=2) as second:
            assert _serves(first) and _serves(second)
            assert _master_pid(sockets[0]) == first.process.pid
            assert _master_pid(sockets[1]) == second.process.pid
            stop(first.process)
            # Stopping one removes its own socket only; the other still serves and answers.
            assert not sockets[0].exists()
            assert _serves(second) and _master_pid(sockets[1]) == second.process.pid
