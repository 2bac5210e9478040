"""One value per process: a forked child makes its own and lets go of the parent's."""

from __future__ import annotations

import os
import threading

import pytest

from src.per_process import per_process

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (gunicorn's workers)")


def _in_child(check) -> int:
    """Run check() in a forked child; its exit code (0: passed)."""
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        os._exit(0 if check() else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_the_value_is_made_once_on_first_use():
    made = []
    holder = per_process(lambda: made.append(1) or object())
    assert made == []
    assert holder.get() is holder.get()
    assert made == [1]


def test_reset_makes_a_new_value():
    holder = per_process(object)
    first = holder.get()
    holder.reset()
    assert holder.get() is not first


@needs_fork
def test_a_forked_child_makes_its_own_and_the_parent_keeps_its():
    holder = per_process(lambda: os.getpid())
    assert holder.get() == os.getpid()
    assert _in_child(lambda: holder.get() == os.getpid()) == 0
    assert holder.get() == os.getpid()


@needs_fork
def test_a_forked_child_hands_the_parents_value_to_on_fork():
    released = []
    holder = per_process(lambda: os.getpid(), on_fork=released.append)
    parent = holder.get()
    assert _in_child(lambda: released == [parent] and holder.get() != parent) == 0
    assert released == []  # the parent let go of nothing


@needs_fork
def test_a_lock_held_by_a_parents_thread_does_not_block_the_child():
    holder = per_process(lambda: threading.Lock())
    holder.get().acquire()  # as a thread of the parent would be holding it at the fork
    assert _in_child(lambda: holder.get().acquire(timeout=5)) == 0
