"""Group commit of one process's increments: requests that end while another's increment is
being written share the next write (one UPDATE adding them all, one commit, one WAL flush).

Leader and followers: a request that finds no write under way writes its own increment, plus
those of the requests that joined it. One that finds a write under way joins the next one and
waits: when the write ends, one of those waiting leads the next. Every request waits until the
write that carries its increment has committed (or failed) before its response is sent, so
the count stays exact and durable; a failed write is reported for each request it carried.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from src.counter.increments import CounterUnavailable
from src.per_process import per_process


class _Write:
    """The increments one write carries, and how it ended."""

    __slots__ = ("done", "error", "size")

    def __init__(self) -> None:
        self.size = 0
        self.done = False
        self.error: CounterUnavailable | None = None


class _Writes:
    """One process's state: the write being filled, and whether one is under way."""

    def __init__(self) -> None:
        self.changed = threading.Condition(threading.Lock())
        self.next = _Write()
        self.writing = False


class GroupCommit:
    """Adds one per call through `write(n)`, which adds n in one committed write (raises
    CounterUnavailable when it cannot)."""

    def __init__(self, write: Callable[[int], None]) -> None:
        self._write = write
        self._writes = per_process(_Writes, on_fork=None)

    @property
    def waiting(self) -> int:
        """How many increments of this process wait for the next write."""
        return self._writes.get().next.size

    def add_one(self) -> None:
        """Count one; returns once it is committed; raises CounterUnavailable if it was not."""
        writes = self._writes.get()
        with writes.changed:
            mine = writes.next
            mine.size += 1
            while writes.writing and not mine.done:
                writes.changed.wait()
            leading = not mine.done
            if leading:  # no write under way and mine not written: lead it
                writes.writing = True
                writes.next = _Write()
        if leading:
            self._lead(writes, mine)
        if mine.error is not None:
            raise CounterUnavailable(str(mine.error)) from mine.error.__cause__

    def _lead(self, writes: _Writes, mine: _Write) -> None:
        try:
            self._write(mine.size)  # no one joins `mine` any more: its size is final
        except CounterUnavailable as exc:
            mine.error = exc
        except BaseException as exc:  # cut off mid-write: whether it committed is unknown
            mine.error = CounterUnavailable("the write was interrupted")
            mine.error.__cause__ = exc
            raise
        finally:
            with writes.changed:
                mine.done = True
                writes.writing = False
                writes.changed.notify_all()
