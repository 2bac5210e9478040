"""Progress of a long command on stderr: a live line on a terminal, periodic lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import IO

TTY_INTERVAL_S = 0.2
PLAIN_INTERVAL_S = 5.0


class Progress:
    """Rows done, rows a second and, when the total size is known, the share done and ETA."""

    def __init__(self, *, total_bytes: int | None, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total_bytes = total_bytes
        self.tty = self.stream.isatty()
        self.interval = TTY_INTERVAL_S if self.tty else PLAIN_INTERVAL_S
        self.started = time.monotonic()
        self._shown = self.started

    def show(self, *, rows: int, bytes_read: int) -> None:
        now = time.monotonic()
        if now - self._shown < self.interval:
            return
        self._shown = now
        self._write(self._line(rows, bytes_read, now))

    def done(self, *, rows: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self._write(f"{rows} rows in {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s")
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, rows: int, bytes_read: int, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        line = f"{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        if self.total_bytes and bytes_read:
            share = min(bytes_read / self.total_bytes, 1.0)
            remaining = elapsed * (1 - share) / share
            line += f"  {share:6.1%}  ETA {_clock(remaining)}"
        return line

    def _write(self, line: str) -> None:
        if self.tty:
            self.stream.write(f"\r\x1b[K{line}")
        else:
            self.stream.write(f"{line}\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, second = divmod(int(seconds), 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours}:{minute:02d}:{second:02d}"
