"""Prices stored before the price scenarios, as the worker keeps them: `flask refresh-prices`.

The worker's periodic refresh is what fills the offers a request answers from; the bench
runs no worker, so it runs that refresh itself (the same command, against the bench's
simulator) before the first price burst, and again before a burst whenever the last one is
older than FRESH_S or a provider hung since. That holds whether or not a request may still
fetch from the providers itself: the first check then also warms it.
"""

from __future__ import annotations

import subprocess
import time
from typing import Any
from urllib.error import HTTPError

from bench.server import run_flask
from bench.stack import get_json

# Below PRICE_MAX_AGE_S (60 s in production): offers refreshed this recently are still "ok"
# at the end of the next burst.
FRESH_S = 40.0


class PricesNotStored(RuntimeError):
    """The refresh stored no usable prices: the price scenarios cannot be measured."""


class StoredPrices:
    """When the prices were last refreshed, and the refresh itself."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.refreshed_at: float | None = None
        self.disturbed = False

    def check(self, url: str, headers: dict[str, str]) -> None:
        """Refresh, then GET url (/prices/movies/): both providers ok and some movies, or
        PricesNotStored saying what was answered."""
        self.refresh()
        try:
            answer: Any = get_json(url, headers)
        except HTTPError as exc:
            raise PricesNotStored(f"GET {url} after the refresh: {exc.code} {exc.reason}") from exc
        statuses = {name: state["status"] for name, state in answer["providers"].items()}
        if set(statuses.values()) != {"ok"} or not answer["data"]:
            raise PricesNotStored(f"prices are not stored and fresh: {statuses}")

    def keep_fresh(self) -> None:
        """Refresh unless the last refresh is recent and no provider hung since."""
        if self.disturbed or self.refreshed_at is None:
            self.refresh()
        elif time.monotonic() - self.refreshed_at > FRESH_S:
            self.refresh()

    def refresh(self) -> None:
        """One `flask --app wsgi refresh-prices`; a failure is printed, not raised (a refresh
        the app skips, e.g. another one ran within its interval, leaves the stored prices)."""
        try:
            run_flask("refresh-prices", env=self.env)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            print(f"note: refresh-prices did not succeed: {str(exc)[-500:]}", flush=True)
        self.refreshed_at = time.monotonic()
        self.disturbed = False
