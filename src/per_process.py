"""Values that must not cross a fork (pools, sockets, locks, caches): each process makes its
own on first use. gunicorn forks its workers from a master that may have made them already."""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")
_MISSING = object()


class PerProcess(Generic[T]):
    """factory() made once per process, on first use; a forked child makes its own.

    In the child, the value the parent made is handed to on_fork (when given) to let go of it
    without closing what the parent still uses, e.g. an engine's `dispose(close=False)`.
    """

    def __init__(self, factory: Callable[[], T], on_fork: Callable[[T], None] | None) -> None:
        self._factory = factory
        self._on_fork = on_fork
        self._lock = threading.Lock()
        self._value: object = _MISSING
        _live.add(self)

    def get(self) -> T:
        value = self._value
        if value is _MISSING:
            with self._lock:
                if self._value is _MISSING:
                    self._value = self._factory()
                value = self._value
        return cast(T, value)

    def reset(self) -> None:
        """Forget the value: the next get() makes a new one (tests, config reloads)."""
        with self._lock:
            self._value = _MISSING

    def _forget_in_child(self) -> None:
        # A lock some thread of the parent held at the fork would stay held: take a new one.
        self._lock = threading.Lock()
        inherited, self._value = self._value, _MISSING
        if inherited is not _MISSING and self._on_fork is not None:
            self._on_fork(cast(T, inherited))


_live: weakref.WeakSet[PerProcess[Any]] = weakref.WeakSet()


def per_process(
    factory: Callable[[], T], *, on_fork: Callable[[T], None] | None = None
) -> PerProcess[T]:
    """A holder of factory() that each process makes afresh (see PerProcess)."""
    return PerProcess(factory, on_fork)


def _after_fork_in_child() -> None:
    for holder in list(_live):
        holder._forget_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)
