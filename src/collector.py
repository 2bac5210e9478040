"""Python's cyclic garbage collector, settled once the app has started.

A full collection walks every tracked object of the process: after start-up that is the whole
loaded app (about 156,000 objects: modules, SQLAlchemy's and marshmallow's structures), and on
the busy 2-core host one such walk took 124 ms of CPU inside a request (the p99 sample of the
first page at a million movies, bench/BENCHMARKS.md). What start-up made lives as long as the
process, so it is moved out of the collector's view (`gc.freeze`): a full collection then walks
only what was made since (2,400 objects after 300 catalog requests). Garbage made later is
collected as before.

A bulk job is the other way round: the catalog import keeps some 100,000 container objects
alive at a time (a batch's dicts, lists and tuples, until the batch is written), and the
collector, run every 700 new ones, walked them over and over for nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle_collector() -> None:
    """Collect start-up's garbage once, then freeze what is left (gc.freeze)."""
    gc.collect()
    gc.freeze()


@contextmanager
def collecting_for_bulk() -> Iterator[None]:
    """For a bulk job in this process: start-up's objects frozen as above, young objects
    collected every 50,000 new ones and the older ones more rarely still. At 300,000 rows the
    import took 22% less CPU (each half alone, ~13%). Restored after, as a test runs the
    import in its own process."""
    thresholds = gc.get_threshold()
    settle_collector()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
