"""The rate limits' counts in their store: every limit of one request counted in one round
trip. Fixed windows aligned to the clock, so a window's end is known without asking and is
the same on every host; one counter per limit, key and window, as `limits` names it.

On Redis one small Lua script counts the request's limits in order and stops at the first
that is over: a request refused by its address limit never counts against its view's. Other
stores (memory:// for development, a Redis cluster, whose keys of one request may live on
different nodes) count each limit with its own INCR, stopping the same way."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem
from limits.errors import StorageError
from limits.storage import RedisClusterStorage, RedisStorage, Storage, storage_from_string
from redis import ConnectionError as RedisConnectionError
from redis import Redis
from redis import TimeoutError as RedisTimeoutError
from redis.exceptions import NoScriptError

from config import ConfigError
from src.per_process import per_process

NAMESPACE = "movie-service"
STORE_TIMEOUT_S = 0.5  # a Redis that hangs delays a request by this much, no more
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+unix://")
# RuntimeError: limits' memory storage restarting its expiry timer from two threads at once
# ("threads can only be started once"); fixed upstream after limits 5.8.0, not yet released.
STORE_ERRORS: tuple[type[BaseException], ...] = (StorageError, RuntimeError)

# KEYS: one counter per limit, in the order they are checked. ARGV: for each, its amount and
# the seconds until its window ends. A counter's first hit sets its expiry (as `limits` does).
COUNT_HITS = """
local counts = {}
for i, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then
        redis.call('EXPIRE', key, ARGV[2 * i])
    end
    counts[i] = count
    if count > tonumber(ARGV[2 * i - 1]) then
        break
    end
end
return counts
"""


@dataclass(frozen=True)
class Hit:
    """One limit to count this request against: which check it is, the limit, whose key."""

    check: str  # "address" or "view": names it in logs and metrics
    limit: RateLimitItem
    key: tuple[str, ...]


@dataclass(frozen=True)
class Window:
    """Where one limit stands for this request's client."""

    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    breached: bool

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(math.ceil(self.reset_at)),
        }

    def retry_after(self) -> str:
        return str(max(1, math.ceil(self.reset_at - time.time())))


@dataclass(frozen=True)
class _Counter:
    """A hit's counter in the current window: its name, its limit's amount, the seconds it
    lives and when its window ends."""

    name: str
    amount: int
    expiry: int
    reset_at: float

    @classmethod
    def of(cls, hit: Hit, now: float) -> _Counter:
        period, amount = hit.limit.get_expiry(), hit.limit.amount
        start = now - now % period
        name = "/".join((NAMESPACE, *hit.key, f"{amount}-{period}-{int(start)}"))
        return cls(name, amount, max(1, math.ceil(start + period - now)), start + period)

    def window(self, count: int) -> Window:
        return Window(self.amount, max(0, self.amount - count), self.reset_at, count > self.amount)


class _CountingScript:
    """COUNT_HITS run by its hash (EVALSHA) on a Redis connection of the calling thread's own,
    made from the client's pool with its settings: no pool checkout a request, nor redis-py's
    command machinery around one command (its retries are none on this client). A connection
    closed or dirty since its last use is made again before the command is sent, as the pool
    does; any other failure disconnects it (the next request connects anew). A server that
    lost the script (restart, SCRIPT FLUSH) gets it loaded by redis-py's own script call."""

    def __init__(self, client: Redis) -> None:
        self._script = client.register_script(COUNT_HITS.encode())
        self._pool = client.connection_pool
        self._encoding = self._pool.connection_kwargs.get("encoding", "utf-8")
        self._sha = self._script.sha.encode()
        # Each thread its own connection; a forked child starts with none (its parent's socket
        # is the parent's).
        self._local = per_process(threading.local)

    def __call__(self, keys: list[str], args: list[int]) -> list[int]:
        connection = self._ready_connection()
        try:
            connection.send_packed_command([self._packed(keys, args)])
            counts = connection.read_response()
        except NoScriptError:
            counts = self._script(keys=keys, args=args)
        return [int(count) for count in counts]

    def _packed(self, keys: list[str], args: list[int]) -> bytes:
        words = [key.encode(self._encoding) for key in keys]
        words += [b"%d" % arg for arg in args]
        head = [b"EVALSHA", self._sha, b"%d" % len(keys)]
        return b"*%d\r\n" % (len(head) + len(words)) + b"".join(
            b"$%d\r\n%s\r\n" % (len(word), word) for word in (*head, *words)
        )

    def _ready_connection(self) -> Any:
        local = self._local.get()
        connection = getattr(local, "connection", None)
        if connection is None:
            connection = local.connection = self._pool.make_connection()
        connection.connect()  # no-op when connected
        try:
            if connection.can_read():  # a reply left over, or closed by the server
                raise RedisConnectionError("the Redis connection has data")
        except (RedisConnectionError, RedisTimeoutError, OSError):
            connection.disconnect()
            connection.connect()
            if connection.can_read():
                raise RedisConnectionError("the Redis connection is not ready") from None
        return connection


class LimitCounts:
    """The store of one app's counts, and how a request's hits are counted in it."""

    def __init__(self, storage_uri: str) -> None:
        storage = storage_from_string(storage_uri, **store_options(storage_uri))
        if not isinstance(storage, Storage):
            raise ConfigError(f"RATELIMIT_STORAGE_URI names an asyncio store: {storage_uri!r}")
        self.storage = storage
        self._redis: RedisStorage | None = None
        self._script: _CountingScript | None = None
        if isinstance(storage, RedisStorage) and not isinstance(storage, RedisClusterStorage):
            client = storage.get_connection()
            if isinstance(client, Redis):
                self._redis = storage
                self._script = _CountingScript(client)

    def count(self, hits: Sequence[Hit]) -> list[Window]:
        """Count one hit of each limit, in order, up to the first over its limit: the windows
        of those counted. One round trip on Redis. Raises one of STORE_ERRORS."""
        now = time.time()
        counters = [_Counter.of(hit, now) for hit in hits]
        if self._redis is not None and self._script is not None:
            counts = self._by_script(self._redis, self._script, counters)
        else:
            counts = self._one_by_one(counters)
        return [counter.window(count) for counter, count in zip(counters, counts, strict=False)]

    @staticmethod
    def _by_script(
        redis: RedisStorage, script: _CountingScript, counters: list[_Counter]
    ) -> list[int]:
        keys = [redis.prefixed_key(counter.name) for counter in counters]
        args = [value for counter in counters for value in (counter.amount, counter.expiry)]
        try:
            return script(keys, args)
        except redis.base_exceptions as error:
            raise StorageError(error) from error

    def _one_by_one(self, counters: list[_Counter]) -> list[int]:
        counts: list[int] = []
        for counter in counters:
            counts.append(self.storage.incr(counter.name, counter.expiry))
            if counts[-1] > counter.amount:
                break
        return counts


def store_options(storage_uri: str) -> dict[str, Any]:
    """Store errors as StorageError; a Redis that does not answer gives up quickly."""
    options: dict[str, Any] = {"wrap_exceptions": True}
    if storage_uri.startswith(_REDIS_SCHEMES):
        options |= {"socket_connect_timeout": STORE_TIMEOUT_S, "socket_timeout": STORE_TIMEOUT_S}
    return options
