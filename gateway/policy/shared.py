"""What every upstream transport of one app shares: the answer store, single-flight, Redis.

One `Shared` per app (per `build_sources`), so two apps in one process (tests serve two) keep
separate caches unless they share a Redis, exactly as two replicas would. Redis connections are
opened lazily by redis-py on first use, in the event loop that serves the app.
"""

from __future__ import annotations

from redis.asyncio import Redis

from gateway.policy.singleflight import FlightLock, SingleFlight
from gateway.policy.store import Answer, BoundedMemoryCache, ResponseStore, redis_cache
from gateway.policy.windowlog import LocalWindowLog, RedisWindowLog, WindowLog
from gateway.settings import Settings

MEMORY_ENTRIES = 10_000  # in-process answers kept at most ...
MEMORY_BYTES = 256 * 2**20  # ... and their bodies' bytes at most


class Shared:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.redis: Redis | None = None
        if settings.redis_url:
            cache, self.redis = redis_cache(settings.redis_url)
        else:
            cache = BoundedMemoryCache(max_entries=MEMORY_ENTRIES, max_bytes=MEMORY_BYTES, timeout=None)
        self.store = ResponseStore(cache, settings.max_stale)
        self.flights: SingleFlight[Answer] = SingleFlight()
        self.lock = FlightLock(self.redis) if self.redis is not None else None
        self.local_windows = LocalWindowLog()
        self.windows: WindowLog = RedisWindowLog(self.redis) if self.redis is not None else self.local_windows

    async def aclose(self) -> None:
        """Close Redis connections (idempotent: every transport calls it when its client closes)."""
        if self.redis is not None:
            await self.redis.aclose()
