"""Request counts per target and path, as the upstreams would see them: /_stats."""

import threading
from collections import Counter

from flask import Blueprint, current_app, request

from simulator.faults import TARGETS


class RequestStats:
    """How many requests each target received, by path, since the start or the last reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, Counter[str]] = {target: Counter() for target in TARGETS}

    def record(self, target: str, path: str) -> None:
        with self._lock:
            self._counts[target][path] += 1

    def describe(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {target: dict(sorted(counts.items())) for target, counts in self._counts.items()}

    def reset(self) -> None:
        with self._lock:
            for counts in self._counts.values():
                counts.clear()


def record(target: str) -> None:
    """Count the current request against the target, whatever its answer will be."""
    stats: RequestStats = current_app.extensions["simulator.stats"]
    stats.record(target, request.path)


bp = Blueprint("stats", __name__, url_prefix="/_stats")


@bp.get("/")
def show_stats() -> dict[str, dict[str, int]]:
    """Every target's request counts by path."""
    stats: RequestStats = current_app.extensions["simulator.stats"]
    return stats.describe()


@bp.delete("/")
def reset_stats() -> tuple[str, int]:
    """Start counting again from zero."""
    current_app.extensions["simulator.stats"].reset()
    return "", 204
