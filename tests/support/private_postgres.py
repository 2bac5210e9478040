"""A Postgres server of the test's own (initdb in a temporary folder, a free port), so a
test may stop and start it without touching the machine's shared server."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.simulator import free_port

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
COMMAND_LIMIT_S = 60


def postgres_bin() -> Path | None:
    """The newest installed server's bin folder, if any."""
    return BIN_DIRS[0] if BIN_DIRS and (BIN_DIRS[0] / "pg_ctl").exists() else None


@dataclass(frozen=True)
class PrivatePostgres:
    data_dir: Path
    port: int
    bin_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, *args: str) -> None:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-w", *args]
        _run_as_owner(command)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-o", options, "-l", str(self.data_dir / "server.log"), "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")


def _run_as_owner(command: list[str], *, check: bool = True) -> None:
    # Postgres refuses to run as root; the Debian package's user owns the folder then.
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=check, capture_output=True, timeout=COMMAND_LIMIT_S)


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """initdb, start, yield, and remove the server and its files afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    data_dir = Path(tempfile.mkdtemp(prefix="private-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data_dir, "postgres", "postgres")
    server = PrivatePostgres(data_dir=data_dir, port=free_port(), bin_dir=bin_dir)
    try:
        _run_as_owner(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
            ]
        )
        server.start()
        yield server
    finally:
        pg_ctl = str(bin_dir / "pg_ctl")
        _run_as_owner([pg_ctl, "-D", str(data_dir), "-m", "immediate", "stop"], check=False)
        shutil.rmtree(data_dir, ignore_errors=True)
