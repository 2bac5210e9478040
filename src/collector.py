"""Python's cyclic garbage collector, settled once the app has started.

A full collection walks every tracked object of the process: after start-up that is the whole
loaded app (about 156,000 objects: modules, SQLAlchemy's and marshmallow's structures), and on
the busy 2-core host one such walk took 124 ms of CPU inside a request (the p99 sample of the
first page at a million movies, bench/BENCHMARKS.md). What start-up made lives as long as the
process, so it is moved out of the collector's view (`gc.freeze`): a full collection then walks
only what was made since (2,400 objects after 300 catalog requests). Garbage made later is
collected as before.
"""

from __future__ import annotations

import gc


def settle_collector() -> None:
    """Collect start-up's garbage once, then freeze what is left (gc.freeze)."""
    gc.collect()
    gc.freeze()
