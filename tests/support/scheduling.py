"""How `make test` shares the suite among its pytest-xdist workers (`--dist loadgroup`, with
this scheduler in place of xdist's own: tests/conftest.py).

A unit of work is a test file's tests on one database backend (the tests of `[sqlite...]`,
those of `[postgres...]`, and the rest): a worker makes the file's module fixtures for each,
as a run in one process does, where pytest runs every SQLite test before the first Postgres
one. Tests that an `xdist_group` mark names together are one unit, whatever their files.
The end-to-end files, which wait longest on the processes they start, are handed out early
(so that no worker is left alone with a long one at the end), in turn with the others; the
SQLite units before the Postgres ones, and a worker is not given the same file's next unit
after one of a file (its module fixtures would be kept from one backend to the other)
unless nothing else is left.
"""

from __future__ import annotations

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling
from xdist.workermanage import WorkerController

BACKENDS = ("sqlite", "postgres")
# The slowest files first (huey's second minute tick, newman, two hosts, chromium), then the
# other end-to-end ones.
FIRST = (
    "tests/e2e/test_price_fleet.py",
    "tests/e2e/test_postman.py",
    "tests/e2e/test_price_cache_two_hosts.py",
    "tests/e2e/",
)


class FileScheduling(LoadScopeScheduling):
    """xdist's scheduling by scope, where a scope is a file's tests on one backend, or an
    xdist_group."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        self._end_to_end_next = False
        self._last_path: dict[WorkerController, str] = {}

    def _split_scope(self, nodeid: str) -> str:
        # loadgroup appends "@<group>" to the ids of the tests an xdist_group mark names.
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return "@" + nodeid.rsplit("@", 1)[-1]
        path, _, name = nodeid.partition("::")
        backend = next((b for b in BACKENDS if f"[{b}]" in name or f"[{b}-" in name), "")
        return f"{path}::{backend}"

    def _assign_work_unit(self, node: WorkerController) -> None:
        """Hand out an end-to-end unit and another in turn (the end-to-end ones start
        servers: all four workers starting theirs at once on two cores wait on each other),
        each the first in this order that is not the same file's on the worker's last."""
        self._end_to_end_next = not self._end_to_end_next
        last = self._last_path.get(node)
        units = list(self.workqueue)
        wanted = [u for u in units if _is_end_to_end(u) == self._end_to_end_next] or units
        wanted = [u for u in wanted if _path(u) != last] or wanted
        first = min(wanted, key=_rank)
        self.workqueue.move_to_end(first, last=False)
        self._last_path[node] = _path(first)
        super()._assign_work_unit(node)


def _path(scope: str) -> str:
    # The groups are end-to-end files sharing a server.
    return "tests/e2e/" if scope.startswith("@") else scope.partition("::")[0]


def _is_end_to_end(scope: str) -> bool:
    return _path(scope).startswith("tests/e2e/")


def _rank(scope: str) -> tuple[int, int]:
    backend = scope.partition("::")[2] if not scope.startswith("@") else ""
    path = _path(scope)
    slow = next((i for i, start in enumerate(FIRST) if path.startswith(start)), len(FIRST))
    return (BACKENDS.index(backend) if backend else 0, slow)
