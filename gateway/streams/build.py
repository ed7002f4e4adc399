"""The hub for a configuration: in-memory, or Redis pub/sub and leases on the app's client."""

from __future__ import annotations

from redis.asyncio import Redis

from gateway.settings import Settings
from gateway.streams.backend import MemoryBackend
from gateway.streams.hub import Hub
from gateway.streams.lease import LocalLease, RedisLease, owner_id
from gateway.streams.redis_backend import RedisPubSubBackend
from gateway.streams.types import BridgeFactory


def build_hub(settings: Settings, bridges: BridgeFactory, redis: Redis | None = None) -> Hub:
    """A hub on `redis` (the app's client, for every replica) or in-process without it; `start()`
    it in the app's lifespan and `stop()` it at shutdown (the client stays the app's to close)."""
    if redis is not None:
        lease = RedisLease(redis, owner_id(), ttl=settings.stream_lease_ttl)
        return Hub(bridges, RedisPubSubBackend(redis), lease, linger=settings.stream_linger,
                   queue_size=settings.stream_queue, queue_bytes=settings.edge.stream_queue_bytes,
                   max_topics=settings.edge.stream_max_topics, fail_after=settings.stream_fail_after)
    return Hub(bridges, MemoryBackend(), LocalLease(), linger=settings.stream_linger,
               queue_size=settings.stream_queue, queue_bytes=settings.edge.stream_queue_bytes,
               max_topics=settings.edge.stream_max_topics, fail_after=settings.stream_fail_after)
