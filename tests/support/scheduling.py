"""How `make test` shares the suite among its pytest-xdist workers (`--dist loadgroup`, with
this scheduler in place of xdist's own: tests/conftest.py).

A unit of work is a test file's tests on one database backend (the tests of `[sqlite...]`,
those of `[postgres...]`, and the rest): a worker makes the file's module fixtures for each,
as a run in one process does, where pytest runs every SQLite test before the first Postgres
one. Tests that an `xdist_group` mark names together are one unit, whatever their files.
The end-to-end files, which wait longest on the processes they start, are handed out first
(so that no worker is left alone with a long one at the end), then the SQLite units, then
the Postgres ones: a worker never runs one file's SQLite and Postgres tests back to back.
"""

from __future__ import annotations

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

    def _split_scope(self, nodeid: str) -> str:
        # loadgroup appends "@<group>" to the ids of the tests an xdist_group mark names.
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return "@" + nodeid.rsplit("@", 1)[-1]
        path, _, name = nodeid.partition("::")
        backend = next((b for b in BACKENDS if f"[{b}]" in name or f"[{b}-" in name), "")
        return f"{path}::{backend}"

    def _assign_work_unit(self, node: WorkerController) -> None:
        # xdist's queue has the units with the most tests first; this order goes before.
        first = min(self.workqueue, key=self._rank)
        self.workqueue.move_to_end(first, last=False)
        super()._assign_work_unit(node)

    @staticmethod
    def _rank(scope: str) -> tuple[int, int]:
        path, _, backend = scope.partition("::")
        if path.startswith("@"):  # the groups are end-to-end files sharing a server
            path = "tests/e2e/"
        slow = next((i for i, start in enumerate(FIRST) if path.startswith(start)), len(FIRST))
        return (BACKENDS.index(backend) if backend else 0, slow)
