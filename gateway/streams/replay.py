"""Replay memory for pushed deliveries: has this fact been accepted already, by any replica?

A webhook's signature covers only its body, and `X-Webhook-Id` names the webhook, not the
delivery, so a replay — the sender's own retry after a lost 2xx, or a captured request sent again
with a fresh timestamp — is recognised by its content: the caller claims the fact's identity (the
transaction signature) and only the first claim wins.

With REDIS_URL every replica shares the memory through `SET key 1 NX EX ttl` (atomic: exactly one
replica's claim succeeds); without it, or while Redis fails, each process remembers the last
`MEMORY_LIMIT` claims itself (then a replay sent to *another* replica is not recognised, and the
hub's per-topic event-id memory is the remaining guard).
"""

from __future__ import annotations

import logging
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.coord.idset import IdSet

log = logging.getLogger("gateway.streams.replay")

TTL_SECONDS = 7 * 24 * 3600  # far past any honest webhook retry (senders retry within a minute)
MEMORY_LIMIT = 100_000
PREFIX = "gateway:replay:"


class ReplayMemory(Protocol):
    async def claim(self, key: str) -> bool:
        """True the first time `key` is claimed (the caller may act), False for a replay."""
        ...

    async def release(self, key: str) -> None:
        """Forget a claim whose processing failed, so a retry is accepted."""
        ...

    async def aclose(self) -> None: ...


class LocalReplayMemory:
    def __init__(self, limit: int = MEMORY_LIMIT) -> None:
        self._claimed = IdSet(limit)

    async def claim(self, key: str) -> bool:
        return self._claimed.add(key)

    async def release(self, key: str) -> None:
        self._claimed.discard(key)

    async def aclose(self) -> None:
        return None


class RedisReplayMemory:
    def __init__(self, redis: Redis, namespace: str, ttl: int = TTL_SECONDS) -> None:
        self._redis = redis  # the app's client: closed by the app
        self._prefix = f"{PREFIX}{namespace}:"
        self._ttl = ttl
        self._local = LocalReplayMemory()

    async def claim(self, key: str) -> bool:
        try:
            created = await self._redis.set(self._prefix + key, b"1", nx=True, ex=self._ttl)
        except (RedisError, OSError) as exc:
            log.warning("replay memory: Redis failed (%s); this replica remembers on its own", type(exc).__name__)
            return await self._local.claim(key)
        if created:
            await self._local.claim(key)
        return bool(created)

    async def release(self, key: str) -> None:
        await self._local.release(key)
        try:
            await self._redis.delete(self._prefix + key)
        except (RedisError, OSError) as exc:
            log.warning("replay memory: Redis failed to forget a claim (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        return None


def replay_memory(redis: Redis | None, namespace: str) -> ReplayMemory:
    """Shared through the app's Redis client when there is one, else this process's own."""
    return RedisReplayMemory(redis, namespace) if redis is not None else LocalReplayMemory()
