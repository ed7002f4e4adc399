"""The hub for a configuration: broadcaster's memory backend, or Redis pub/sub and leases."""

from __future__ import annotations

from broadcaster._backends.memory import MemoryBackend

from gateway.settings import Settings
from gateway.streams.hub import Hub
from gateway.streams.lease import LocalLease, RedisLease, owner_id
from gateway.streams.redis_backend import RedisPubSubBackend
from gateway.streams.types import BridgeFactory


def build_hub(settings: Settings, bridges: BridgeFactory) -> Hub:
    """A hub wired per REDIS_URL; `start()` it in the app's lifespan and `stop()` it at shutdown."""
    if settings.redis_url:
        backend = RedisPubSubBackend(settings.redis_url)
        lease = RedisLease(_LazyClient(backend), owner_id(), ttl=settings.stream_lease_ttl)
        return Hub(bridges, backend, lease, linger=settings.stream_linger, queue_size=settings.stream_queue)
    return Hub(bridges, MemoryBackend("memory://"), LocalLease(), linger=settings.stream_linger,
               queue_size=settings.stream_queue)


class _LazyClient:
    """The backend's Redis client, which exists only once the backend is connected (in the running
    loop): leases share its connection pool."""

    def __init__(self, backend: RedisPubSubBackend) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> object:
        return getattr(self._backend.client, name)
