"""The counter's group commit (src/counter/group_commit.py) over a write that records what it
was asked to add: requests that end during a write share the next one, each returns only once
the write carrying it committed, and a failed write is reported to every request it carried."""

from __future__ import annotations

import threading
import time

import pytest

from src.counter.group_commit import GroupCommit
from src.counter.store import CounterUnavailable

LIMIT_S = 10.0


class RecordedWrites:
    """The writes asked for, in order; the first waits until released, `failing` ones fail."""

    def __init__(self, *, failing: frozenset[int] = frozenset()) -> None:
        self.events: list[str] = []
        self.release = threading.Event()
        self.first_started = threading.Event()
        self.failing = failing
        self.lock = threading.Lock()

    def __call__(self, requests: int) -> None:
        with self.lock:
            number = sum(event.startswith("wrote") for event in self.events) + 1
        if number == 1:
            self.first_started.set()
            assert self.release.wait(LIMIT_S)
        if number in self.failing:
            raise CounterUnavailable("lock timeout")
        with self.lock:
            self.events.append(f"wrote {requests}")

    def note(self, event: str) -> None:
        with self.lock:
            self.events.append(event)


def _followers_behind_a_write(group: GroupCommit, writes: RecordedWrites, count: int):
    """A first increment whose write is held, and `count` more waiting behind it; returns
    the leader's thread, the followers' threads and their outcomes."""
    outcomes: list[str] = []

    def count_one(name: str) -> None:
        try:
            group.add_one()
        except CounterUnavailable:
            outcomes.append(f"{name} lost")
            writes.note(f"{name} lost")
        else:
            outcomes.append(f"{name} counted")
            writes.note(f"{name} returned")

    leader = threading.Thread(target=count_one, args=("leader",))
    leader.start()
    assert writes.first_started.wait(LIMIT_S)
    followers = [threading.Thread(target=count_one, args=(f"f{n}",)) for n in range(count)]
    for follower in followers:
        follower.start()
    deadline = time.monotonic() + LIMIT_S
    while group.waiting < count and time.monotonic() < deadline:
        time.sleep(0.001)
    assert group.waiting == count
    return leader, followers, outcomes


def _finish(writes: RecordedWrites, threads: list[threading.Thread]) -> None:
    writes.release.set()
    for thread in threads:
        thread.join(LIMIT_S)


def test_increments_that_end_during_a_write_share_the_next_one():
    writes = RecordedWrites()
    group = GroupCommit(writes)
    leader, followers, outcomes = _followers_behind_a_write(group, writes, 3)
    _finish(writes, [leader, *followers])
    assert sorted(outcomes) == ["f0 counted", "f1 counted", "f2 counted", "leader counted"]
    assert [event for event in writes.events if event.startswith("wrote")] == [
        "wrote 1",
        "wrote 3",
    ]
    # No follower answered before the write that carried it had committed.
    second_write = writes.events.index("wrote 3")
    assert all(writes.events.index(f"f{n} returned") > second_write for n in range(3))


def test_a_failed_write_is_reported_to_every_request_it_carried():
    writes = RecordedWrites(failing=frozenset({2}))
    group = GroupCommit(writes)
    leader, followers, outcomes = _followers_behind_a_write(group, writes, 3)
    _finish(writes, [leader, *followers])
    assert sorted(outcomes) == ["f0 lost", "f1 lost", "f2 lost", "leader counted"]


def test_an_increment_alone_is_a_write_of_its_own():
    writes = RecordedWrites()
    writes.release.set()
    group = GroupCommit(writes)
    for _ in range(3):
        group.add_one()
    assert writes.events == ["wrote 1"] * 3


def test_a_write_cut_off_mid_way_does_not_hold_up_the_next_one():
    calls: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def write(requests: int) -> None:
        calls.append(requests)
        if len(calls) == 1:
            entered.set()
            release.wait(LIMIT_S)
            raise KeyboardInterrupt  # what a worker's timeout does to a thread, roughly

    group = GroupCommit(write)
    outcome: list[str] = []

    def lead() -> None:
        with pytest.raises(KeyboardInterrupt):
            group.add_one()

    leader = threading.Thread(target=lead)
    leader.start()
    assert entered.wait(LIMIT_S)

    def follow() -> None:
        try:
            group.add_one()
        except CounterUnavailable:
            outcome.append("lost")
        else:
            outcome.append("counted")

    follower = threading.Thread(target=follow)
    follower.start()
    deadline = time.monotonic() + LIMIT_S
    while group.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    release.set()
    leader.join(LIMIT_S)
    follower.join(LIMIT_S)
    assert calls == [1, 1] and outcome == ["counted"]
