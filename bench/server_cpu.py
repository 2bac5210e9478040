"""The CPU seconds that Postgres backends spend for one database while a command runs.

Read from /proc/<pid>/stat of each backend serving the database, sampled twice a second
(the last sample of a backend before it exits is what counts, so up to half a second of
each is missed). Only when the server runs on this machine; otherwise None.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

from sqlalchemy import create_engine, text

from config import database_url

INTERVAL_S = 0.5
_BACKENDS = text(
    "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
)
_TICKS = os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """with ServerCpu(url, database) as cpu: ...; then cpu.seconds (None when unreadable)."""

    def __init__(self, url: str, database: str) -> None:
        self._engine = create_engine(database_url(url), pool_size=1)
        self._database = database
        self._last: dict[int, float] = {}
        self._readable = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> ServerCpu:
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._engine.dispose()

    @property
    def seconds(self) -> float | None:
        return sum(self._last.values()) if self._readable else None

    def _sample(self) -> None:
        with self._engine.connect() as connection:
            while not self._stop.wait(INTERVAL_S):
                pids = connection.execute(_BACKENDS, {"name": self._database}).scalars()
                for pid in pids:
                    used = _cpu_seconds(pid)
                    if used is not None:
                        self._readable = True
                        self._last[pid] = used
                connection.rollback()


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime
