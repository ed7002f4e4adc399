"""The shared response store: Redis, with a small in-process L1 and a lock for cross-replica misses.

Values are the response bytes as sent, stored with `SET key body PX ttl`; a lookup reads the
value and its PTTL in one round trip, so every replica computes the same remaining lifetime
without trusting its wall clock. The L1 keeps a hot key off the network: a copy lives at most
`l1_ttl` seconds and never past the entry's own expiry.

Cross-replica single-flight uses the owner-checked lock of `coord.lock`: the holder computes,
the others poll for the value until it appears or the lock goes away (the holder failed or the answer was not
cacheable), then compute themselves.

Redis being down never fails a request: a lookup is a miss, a store is skipped, a lock is granted
locally, and a warning is logged at most every 30 s.
"""

from __future__ import annotations

import asyncio
import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.coord.lock import OwnerLock, new_token
from gateway.response_cache.store import Entry, entry_lru, keep, lookup

log = logging.getLogger("gateway.response_cache")

PREFIX = "gateway:response:v1:"
LOCK_PREFIX = "gateway:response-lock:v1:"
L1_ENTRIES = 512
L1_BYTES = 16 * 1024 * 1024
L1_TTL = 2.0  # seconds an L1 copy is served before Redis is asked again
POLL = 0.02  # seconds between a waiting replica's looks at Redis
WARN_EVERY = 30.0


class RedisStore:
    shared = True

    def __init__(self, redis: Redis, *, l1_ttl: float = L1_TTL, l1_entries: int = L1_ENTRIES) -> None:
        self.redis = redis  # the app's client (coord.redis): a slow command times out as a miss
        self.l1 = entry_lru(l1_entries, L1_BYTES)
        self.l1_ttl = l1_ttl
        self.locks = OwnerLock(redis, LOCK_PREFIX)
        self._warned_at = -WARN_EVERY

    def _failed(self, what: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            log.warning("response cache: Redis %s failed (%s); serving without the shared cache",
                        what, type(exc).__name__)

    def _remember(self, key: str, body: bytes, ttl: float) -> Entry:
        now = time.monotonic()
        entry = Entry(body, now + ttl)
        keep(self.l1, key, Entry(body, entry.expires_at, now + min(ttl, self.l1_ttl)))
        return entry

    def peek(self, key: str) -> Entry | None:
        return lookup(self.l1, key)

    async def fetch(self, key: str) -> Entry | None:
        entry = lookup(self.l1, key)
        if entry is not None:
            return entry
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(PREFIX + key)
                pipe.pttl(PREFIX + key)
                body, pttl = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._failed("read", exc)
            return None
        if body is None or pttl is None or pttl <= 0:
            return None
        return self._remember(key, bytes(body), pttl / 1000)

    async def put(self, key: str, body: bytes, ttl: float) -> None:
        ms = int(ttl * 1000)
        if ms <= 0:
            return
        self._remember(key, body, ttl)
        try:
            await self.redis.set(PREFIX + key, body, px=ms)
        except (RedisError, OSError) as exc:
            self._failed("write", exc)

    async def lock(self, key: str, ttl: float) -> str | None:
        token = new_token()
        try:
            got = await self.locks.acquire(key, token, ttl)
        except (RedisError, OSError) as exc:
            self._failed("lock", exc)
            return "local"  # no coordination without Redis: compute here
        return token if got else None

    async def unlock(self, key: str, token: str) -> None:
        if token == "local":
            return
        try:
            await self.locks.release(key, token)
        except (RedisError, OSError) as exc:
            self._failed("unlock", exc)  # the lock expires by itself

    async def wait(self, key: str, deadline: float) -> Entry | None:
        while time.monotonic() < deadline:
            try:
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.get(PREFIX + key)
                    pipe.pttl(PREFIX + key)
                    pipe.exists(LOCK_PREFIX + key)
                    body, pttl, locked = await pipe.execute()
            except (RedisError, OSError) as exc:
                self._failed("read", exc)
                return None
            if body is not None and pttl is not None and pttl > 0:
                return self._remember(key, bytes(body), pttl / 1000)
            if not locked:
                return None
            await asyncio.sleep(POLL)
        return None

    async def aclose(self) -> None:
        return None  # the Redis client is the app's to close
