"""The read cache itself: bounded in entries and bytes, least recently used out first,
shared safely by threads, empty in a forked child; canonical keys."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask

from src.caching import ENTRY_OVERHEAD_BYTES, LARGEST_SHARE, ReadCache, canonical, read_cache


@dataclass(frozen=True)
class Blob:
    size: int

    @property
    def nbytes(self) -> int:
        return self.size


def _cost(key: str, blob: Blob) -> int:
    return blob.nbytes + len(key) + ENTRY_OVERHEAD_BYTES


def test_entries_over_the_entry_bound_are_evicted_least_recently_used_first():
    cache = ReadCache(max_entries=3, max_bytes=10**9)
    for key in ("a", "b", "c"):
        cache.put(key, Blob(10))
    assert cache.get("a") == Blob(10)  # "a" is now the most recently used
    cache.put("d", Blob(10))
    assert len(cache) == 3
    assert cache.get("b") is None
    assert [cache.get(key) for key in ("a", "c", "d")] == [Blob(10)] * 3


def test_entries_over_the_byte_bound_are_evicted_until_it_holds():
    each = _cost("k00", Blob(1000))
    cache = ReadCache(max_entries=1000, max_bytes=20 * each + each // 2)
    for number in range(30):
        cache.put(f"k{number:02d}", Blob(1000))
        assert cache.nbytes <= cache.max_bytes
    assert len(cache) == 20
    assert cache.nbytes == 20 * each
    kept = [cache.get(f"k{number:02d}") is not None for number in range(30)]
    assert kept == [False] * 10 + [True] * 20


def test_an_entry_too_large_for_its_share_of_the_bound_is_not_kept():
    cache = ReadCache(max_entries=10, max_bytes=16_000)
    cache.put("small", Blob(100))
    cache.put("large", Blob(16_000 // LARGEST_SHARE))
    assert cache.get("large") is None
    assert cache.get("small") == Blob(100)


def test_replacing_a_key_counts_its_bytes_once():
    cache = ReadCache(max_entries=10, max_bytes=10**6)
    cache.put("k", Blob(500))
    cache.put("k", Blob(700))
    assert len(cache) == 1
    assert cache.nbytes == _cost("k", Blob(700))


def test_zero_entries_keeps_nothing():
    cache = ReadCache(max_entries=0, max_bytes=10**6)
    made = cache.get_or_make("k", lambda: Blob(1))
    assert made == Blob(1)
    assert len(cache) == 0


def test_get_or_make_makes_once_then_answers_the_kept_entry():
    cache = ReadCache(max_entries=10, max_bytes=10**6)
    calls = []

    def make():
        calls.append(1)
        return Blob(len(calls))

    assert cache.get_or_make("k", make) == Blob(1)
    assert cache.get_or_make("k", make) == Blob(1)
    assert calls == [1]


def test_threads_sharing_the_cache_never_break_its_bounds():
    cache = ReadCache(max_entries=50, max_bytes=50 * _cost("key-000", Blob(100)))
    start = threading.Barrier(8)
    failures = []

    def work(worker):
        start.wait(timeout=10)
        for number in range(2000):
            key = f"key-{(number * 7 + worker) % 300:03d}"
            if cache.get_or_make(key, lambda: Blob(100)) != Blob(100):
                failures.append(key)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(cache) <= 50
    assert cache.nbytes == sum(_cost(key, Blob(100)) for key in list(cache._entries))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (gunicorn's workers)")
def test_a_forked_child_starts_with_an_empty_cache():
    app = Flask(__name__)
    app.config.update(READ_CACHE_MAX_ENTRIES=10, READ_CACHE_MAX_BYTES=10**6)
    cache = read_cache(app)
    cache.put("k", Blob(1))
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        child = read_cache(app)
        os._exit(0 if len(child) == 0 and child.nbytes == 0 and child.get("k") is None else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert read_cache(app).get("k") == Blob(1)  # the parent keeps its own


def test_canonical_keys_ignore_the_order_of_the_arguments():
    assert canonical({"sort": "title", "page": 1}) == canonical({"page": 1, "sort": "title"})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ({"q": "x&rating=1"}, {"q": "x", "rating": 1}),
        ({"page": 1}, {"page": "1"}),
        ({"expiry_date": date(2030, 1, 1)}, {"expiry_date": "2030-01-01"}),
        ({"title": "a", "director": "b"}, {"title": "b", "director": "a"}),
    ],
)
def test_canonical_keys_of_different_arguments_differ(one, other):
    assert canonical(one) != canonical(other)
