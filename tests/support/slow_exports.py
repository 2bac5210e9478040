"""The app of a worker whose exports write slowly (`flask --app tests.support.slow_exports
worker`), for tests that kill a worker mid-export: SLOW_EXPORT_ROW_DELAY_MS after each row."""

from __future__ import annotations

import os
import time

from src import create_app
from src.exports import runner

ROW_DELAY_S = int(os.environ.get("SLOW_EXPORT_ROW_DELAY_MS", "25")) / 1000
_after_each_row = runner.Heartbeat.__call__


def _slowly_after_each_row(self: runner.Heartbeat, row_count: int) -> None:
    time.sleep(ROW_DELAY_S)
    _after_each_row(self, row_count)


runner.Heartbeat.__call__ = _slowly_after_each_row  # type: ignore[method-assign]
app = create_app()
