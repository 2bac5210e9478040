"""Concurrent HTTP clients for load in tests: each thread its own keep-alive session."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

TIMEOUT_S = (2.0, 15.0)  # connect, read


@dataclass(frozen=True)
class Call:
    """One HTTP request to send: method, path, requests' keyword arguments, expected status."""

    method: str
    path: str
    options: dict[str, Any] = field(default_factory=dict)
    expect: int | None = None


def send_concurrently(
    base_url: str,
    calls: Sequence[Call],
    *,
    clients: int,
    on_sent: Callable[[int], None] | None = None,
) -> Counter[int]:
    """Send every call once, spread over `clients` threads; returns how many of each status.

    Any transport error fails the whole batch: a request whose fate is unknown would make the
    count unknowable. on_sent(n) is called (from client threads) with the running total.
    """
    sent = 0
    sent_lock = threading.Lock()

    def run(share: Sequence[Call]) -> Counter[int]:
        nonlocal sent
        statuses: Counter[int] = Counter()
        with requests.Session() as session:
            for call in share:
                response = session.request(
                    call.method, base_url + call.path, timeout=TIMEOUT_S, **call.options
                )
                statuses[response.status_code] += 1
                with sent_lock:
                    sent += 1
                    total = sent
                if on_sent is not None:
                    on_sent(total)
        return statuses

    shares = [calls[index::clients] for index in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(run, shares))
    return sum(results, Counter())
