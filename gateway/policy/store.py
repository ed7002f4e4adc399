"""Where upstream answers are kept: aiocache in-process (bounded) by default, Redis when configured.

An entry is an `Answer`: status, the headers a client reads, the body bytes, and the wall-clock
time it was fetched (wall clock, not monotonic, because replicas share Redis entries). An entry
lives `ttl + max_stale` seconds in the backend: fresh for `ttl`, then kept only to be served if
the upstream fails. A cache that fails (Redis down) is a miss, never an error for the caller.

aiocache's `SimpleMemoryCache` has no bound and arms one timer per entry; `BoundedMemoryCache`
keeps entries in the gateway's bounded LRU, checks expiry on read, and evicts the least recently used beyond
an entry count and a byte budget. Redis entries are bytes (a JSON head line, then the body), as
aiocache's default JSON serializer refuses bytes; keys live under the `gateway:upstream`
namespace, and nothing here ever calls `clear()` (FLUSHDB / KEYS on a shared Redis).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx
from aiocache import RedisCache, SimpleMemoryCache
from aiocache.serializers import BaseSerializer
from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.coord.lru import LRU

log = logging.getLogger("gateway.policy")

NAMESPACE = "gateway:upstream"
# Headers that describe the transfer, not the content: httpx has already decoded the body.
_TRANSFER_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding", "connection", "keep-alive"})
_CACHED_HEADERS = frozenset({"content-type"})  # all a client reads from a cached 2xx answer


@dataclass(frozen=True)
class Answer:
    """One upstream answer, read in full; also what concurrent identical requests share."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: float  # time.time() when it arrived

    @classmethod
    def of(cls, response: httpx.Response, body: bytes) -> Answer:
        headers = tuple((k, v) for k, v in response.headers.multi_items() if k.lower() not in _TRANSFER_HEADERS)
        return cls(response.status_code, headers, body, time.time())

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def for_cache(self) -> Answer:
        return Answer(self.status, tuple((k, v) for k, v in self.headers if k.lower() in _CACHED_HEADERS),
                      self.body, self.fetched_at)

    def response(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, headers=list(self.headers), content=self.body, request=request)


class AnswerSerializer(BaseSerializer):  # type: ignore[misc]  # aiocache is untyped
    """Answer <-> bytes: `{"v":1,"s":status,"h":headers,"t":fetched_at}` newline body."""

    DEFAULT_ENCODING = None  # bytes in, bytes out

    def dumps(self, value: Answer) -> bytes:
        head = json.dumps({"v": 1, "s": value.status, "h": value.headers, "t": value.fetched_at})
        return head.encode() + b"\n" + value.body

    def loads(self, value: bytes | None) -> Answer | None:
        if value is None:
            return None
        head, sep, body = value.partition(b"\n")
        try:
            meta = json.loads(head)
            if not sep or meta.get("v") != 1:
                return None
            return Answer(int(meta["s"]), tuple((str(k), str(v)) for k, v in meta["h"]), body, float(meta["t"]))
        except (ValueError, KeyError, TypeError):
            return None  # written by another version: a miss


@dataclass(frozen=True, slots=True)
class _Held:
    value: Any
    expires: float  # time.monotonic()
    size: int  # the body's bytes plus a fixed overhead: what the byte budget counts


class BoundedMemoryCache(SimpleMemoryCache):  # type: ignore[misc]  # aiocache is untyped
    """SimpleMemoryCache kept in the bounded `coord.lru.LRU` (count and bytes), with lazy expiry."""

    def __init__(self, max_entries: int = 10_000, max_bytes: int = 256 * 2**20, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._held: LRU[str, _Held] = LRU(max_entries, max_bytes, weigh=lambda held: held.size)

    @property
    def bytes(self) -> int:
        return self._held.weight

    async def _get(self, key: str, encoding: str | None = "utf-8", _conn: Any = None) -> Any:
        held = self._held.get(key)  # now the most recently used
        if held is None:
            return None
        if held.expires <= time.monotonic():
            self._held.pop(key)
            return None
        return held.value

    async def _set(self, key: str, value: Any, ttl: float | None = None, _cas_token: Any = None,
                   _conn: Any = None) -> bool:
        size = len(value.body) + 256 if isinstance(value, Answer) else 256
        self._held.put(key, _Held(value, time.monotonic() + ttl if ttl else float("inf"), size))
        return True

    async def _delete(self, key: str, _conn: Any = None) -> int:
        return 0 if self._held.pop(key) is None else 1

    async def _clear(self, namespace: str | None = None, _conn: Any = None) -> bool:
        for key in self._held:
            if not namespace or key.startswith(namespace):
                self._held.pop(key)
        return True

    def peek(self, key: str) -> Any:
        """`get` without aiocache's wrappers (timeout task, plugins): what the memo (memo.py)
        checks on every hit, so a memo hit costs dict lookups only."""
        held = self._held.get(self.build_key(key, namespace=self.namespace))
        if held is None or held.expires <= time.monotonic():
            return None
        return held.value


def redis_cache(client: Redis) -> Any:
    """An aiocache RedisCache on the app's redis-py client (aiocache 0.12 cannot take one, so its
    own, never-connected client is replaced)."""
    cache = RedisCache(serializer=AnswerSerializer(), namespace=NAMESPACE, timeout=2.0)
    cache.client = client
    return cache


class AnswerStore:
    """Upstream answers by cache key; a failing cache is a miss (read) or a skipped write."""

    def __init__(self, cache: Any, max_stale: float) -> None:
        self.cache = cache
        self.max_stale = max_stale

    async def get(self, key: str) -> Answer | None:
        try:
            value = await self.cache.get(key)
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("upstream cache read failed (%s): treated as a miss", type(exc).__name__)
            return None
        return value if isinstance(value, Answer) else None

    async def current(self, key: str) -> Answer | None:
        """The entry held for `key` now (in-process: a dict lookup; Redis: a read)."""
        if isinstance(self.cache, BoundedMemoryCache):
            value = self.cache.peek(key)
            return value if isinstance(value, Answer) else None
        return await self.get(key)

    async def put(self, key: str, answer: Answer, ttl: float) -> None:
        try:
            await self.cache.set(key, answer.for_cache(), ttl=float(ttl + self.max_stale))
        except (RedisError, OSError, TimeoutError) as exc:
            log.warning("upstream cache write failed (%s): answer not kept", type(exc).__name__)
