"""The benchmarks' one load generator: closed loop, loopback only, bounded in time and count.

N keep-alive HTTP/1.1 connections, each sending its next GET as soon as the previous answer
is read, all driven by one thread (selectors): on a 2-core machine shared with the server,
a client without thread switches and GIL hand-offs leaves more of the CPU to the server.
Answers must carry Content-Length (gunicorn's do), or be bodiless by their status (1xx, 204,
304); anything else counts as failed. One request repeated (run_load), or each of many paths
once (run_paths).
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REQUEST_TIMEOUT_S = 10.0
RECEIVE_BYTES = 65536
BODILESS = {204, 304}


@dataclass
class LoadResult:
    """Latencies of the requests answered, every status (or error) seen, and the time taken;
    `expect` is the status that counts as answered (200, or 304 for a revalidation)."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    expect: str = "200"

    @property
    def answered(self) -> int:
        """Requests answered with the expected status."""
        return self.statuses[self.expect]

    @property
    def failed(self) -> int:
        """Requests answered otherwise, or not at all (errors, timeouts)."""
        return sum(self.statuses.values()) - self.answered

    @property
    def per_second(self) -> float:
        """Requests answered with the expected status, per second."""
        return self.answered / self.seconds if self.seconds else 0.0

    def latency_ms(self, quantile: float) -> float:
        """The latency under which `quantile` (0..1) of the answers came; NaN with none."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


class _Unframed(ValueError):
    """An answer this client cannot delimit (no Content-Length)."""


@dataclass
class _Connection:
    sock: socket.socket
    buffer: bytearray = field(default_factory=bytearray)
    sent_at: float = 0.0


def run_load(
    url: str,
    *,
    connections: int,
    seconds: float,
    max_requests: int,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> LoadResult:
    """GET url over `connections` keep-alive connections until `seconds` have passed or
    `max_requests` were sent in all; requests in flight then are awaited (with a timeout)."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    base = f"{parts.scheme}://{parts.netloc}"
    return run_paths(
        base,
        [path],
        connections=connections,
        seconds=seconds,
        max_requests=max_requests,
        headers=headers,
        expect=expect,
    )


def run_paths(
    base_url: str,
    paths: Sequence[str],
    *,
    connections: int,
    seconds: float,
    max_requests: int | None = None,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> LoadResult:
    """GET base_url + each path in turn (over again from the first once all were sent), as
    run_load does; max_requests defaults to one request per path."""
    parts = urlsplit(base_url)
    if parts.hostname not in LOOPBACK:
        raise ValueError(f"load goes to this machine only, not {parts.hostname!r}")
    requests = [_request(parts.netloc, path, headers or {}) for path in paths]
    budget = len(requests) if max_requests is None else max_requests
    driver = _Driver((parts.hostname or "", parts.port or 80), requests, budget)
    driver.result.expect = str(expect)
    return driver.run(connections=connections, seconds=seconds)


def _request(host: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class _Driver:
    """One burst: the selector, the connections, the budget and what came back."""

    def __init__(self, address: tuple[str, int], requests: Sequence[bytes], budget: int) -> None:
        self.address = address
        self.requests = requests
        self.sent = 0
        self.budget = budget
        self.selector = selectors.DefaultSelector()
        self.result = LoadResult()
        self.deadline = self.next_check = 0.0

    def run(self, *, connections: int, seconds: float) -> LoadResult:
        began = time.perf_counter()
        self.deadline = began + seconds
        for _ in range(connections):
            self._send(self._open())
        try:
            while self.selector.get_map():
                self._step()
        finally:
            for key in list(self.selector.get_map().values()):
                self._close(key.data)
            self.selector.close()
        self.result.seconds = time.perf_counter() - began
        return self.result

    def _open(self) -> _Connection:
        sock = socket.create_connection(self.address, timeout=REQUEST_TIMEOUT_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        return _Connection(sock)

    def _more(self) -> bool:
        return self.budget > 0 and time.perf_counter() < self.deadline

    def _send(self, connection: _Connection) -> None:
        """The next request on this connection, or close it when time or budget is out."""
        if not self._more():
            self._close(connection)
            return
        self.budget -= 1
        request = self.requests[self.sent % len(self.requests)]
        self.sent += 1
        connection.sent_at = time.perf_counter()
        try:
            connection.sock.sendall(request)  # a few hundred bytes: never blocks
        except OSError as exc:
            self._fail(connection, type(exc).__name__)
            return
        self.selector.register(connection.sock, selectors.EVENT_READ, connection)

    def _step(self) -> None:
        for key, _ in self.selector.select(timeout=0.5):
            self._receive(key.data)
        now = time.perf_counter()
        if now < self.next_check:
            return
        self.next_check = now + 0.5
        for key in list(self.selector.get_map().values()):
            if now - key.data.sent_at > REQUEST_TIMEOUT_S:
                self._fail(key.data, "timeout")

    def _receive(self, connection: _Connection) -> None:
        try:
            chunk = connection.sock.recv(RECEIVE_BYTES)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(connection, type(exc).__name__)
            return
        if not chunk:
            self._fail(connection, "closed")
            return
        connection.buffer += chunk
        try:
            framed = _frame(connection.buffer)
        except _Unframed:
            self._fail(connection, "unframed")
            return
        if framed is not None:
            self._answered(connection, *framed)

    def _answered(self, connection: _Connection, status: int, size: int, close: bool) -> None:
        if len(connection.buffer) < size:
            return
        self.result.latencies_ms.append((time.perf_counter() - connection.sent_at) * 1000)
        self.result.statuses[str(status)] += 1
        self.selector.unregister(connection.sock)
        del connection.buffer[:size]
        if close:
            connection.sock.close()
            connection = self._open()
        self._send(connection)

    def _fail(self, connection: _Connection, label: str) -> None:
        """Count a request that got no usable answer; go on over a new connection."""
        self.result.statuses[label] += 1
        self._close(connection)
        if not self._more():
            return
        try:
            replacement = self._open()
        except OSError as exc:
            self.result.statuses[f"connect {type(exc).__name__}"] += 1
            return
        self._send(replacement)

    def _close(self, connection: _Connection) -> None:
        with suppress(KeyError, ValueError):  # not waiting for an answer
            self.selector.unregister(connection.sock)
        connection.sock.close()


def _frame(buffer: bytearray) -> tuple[int, int, bool] | None:
    """(status, bytes of the whole answer, server closes) once the head is in, else None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    status_line, *header_lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    fields = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    status = int(status_line.split(" ", 2)[1])
    close = fields.get("connection", "").lower() == "close"
    if status in BODILESS or status < 200:
        return status, end + 4, close
    if "content-length" not in fields:
        raise _Unframed(status_line)
    return status, end + 4 + int(fields["content-length"]), close
