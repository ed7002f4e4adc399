"""What every upstream transport of one app shares: the answer store, single-flight, Redis.

One `Shared` per app (per `build_sources`), so two apps in one process (tests serve two) keep
separate caches unless they share a Redis, exactly as two replicas would. The Redis client is the
app's (`coord.redis`): passed in, never built or closed here.
"""

from __future__ import annotations

from redis.asyncio import Redis

from gateway.coord.lock import OwnerLock
from gateway.coord.singleflight import SingleFlight
from gateway.policy.singleflight import LOCK_PREFIX
from gateway.policy.store import Answer, AnswerStore, BoundedMemoryCache, redis_cache
from gateway.policy.windowlog import LocalWindowLog, RedisWindowLog, WindowLog
from gateway.settings import Settings

MEMORY_ENTRIES = 10_000  # in-process answers kept at most ...
MEMORY_BYTES = 256 * 2**20  # ... and their bodies' bytes at most


class Shared:
    def __init__(self, settings: Settings, redis: Redis | None = None) -> None:
        self.settings = settings
        self.redis = redis
        if redis is not None:
            cache = redis_cache(redis)
        else:
            cache = BoundedMemoryCache(max_entries=MEMORY_ENTRIES, max_bytes=MEMORY_BYTES, timeout=None)
        self.store = AnswerStore(cache, settings.max_stale)
        # an upstream failure is shared with every waiter: calling a failing upstream again at once
        # for each of them would multiply the load on it (the retry policy already retried)
        self.flights: SingleFlight[Answer] = SingleFlight(share_failure=True)
        self.lock = OwnerLock(redis, LOCK_PREFIX) if redis is not None else None
        self.local_windows = LocalWindowLog()
        self.windows: WindowLog = RedisWindowLog(redis) if redis is not None else self.local_windows
