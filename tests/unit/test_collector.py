"""What start-up made is kept out of full collections; garbage made later is still collected."""

from __future__ import annotations

import gc
import runpy
import weakref
from pathlib import Path

import pytest

from src.collector import settle_collector

REPO = Path(__file__).resolve().parents[2]


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture(autouse=True)
def _unfrozen():
    yield
    gc.unfreeze()


def test_settling_freezes_what_exists_and_still_collects_later_cycles():
    settle_collector()
    assert gc.get_freeze_count() > 0
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a cycle only the collector can free
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None


def test_each_gunicorn_worker_settles_the_collector_once_the_app_is_loaded(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    assert gc.get_freeze_count() == 0
    settings["post_worker_init"](None)
    assert gc.get_freeze_count() > 0
