"""Who runs a topic's bridge: a lease, so each upstream stream is held by one replica at a time.

Without Redis there is one replica and `LocalLease` always grants. With Redis, `RedisLease` is the
owner-checked lock of `coord.lock` per topic (`gateway:lease:<topic>`), its value this replica's
owner id (`host:pid:random`, so an operator can tell who holds it), renewed every ttl/3 while held
and deleted on release. Renewal and release compare the owner first, so a replica never extends
or deletes a lease another replica took over. When the holder dies its key expires after at most
one ttl and the next replica that tries (every `retry` seconds) takes it over.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Protocol

from redis.asyncio import Redis

from gateway.coord.lock import OwnerLock

LEASE_PREFIX = "gateway:lease:"


def owner_id() -> str:
    """This replica's identity in lease values: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class Lease(Protocol):
    ttl: float | None  # None: never expires (nothing to renew)
    retry: float  # seconds between attempts to take a lease held elsewhere

    async def acquire(self, name: str) -> bool: ...

    async def renew(self, name: str) -> bool: ...

    async def release(self, name: str) -> None: ...


class LocalLease:
    """One replica: every lease is granted at once and never lost."""

    ttl: float | None = None
    retry = 1.0

    async def acquire(self, name: str) -> bool:
        return True

    async def renew(self, name: str) -> bool:
        return True

    async def release(self, name: str) -> None:
        return None


class RedisLease:
    """A lease per topic in Redis. Errors reach the caller (the topic runner decides what they mean)."""

    ttl: float | None

    def __init__(self, client: Redis, owner: str, ttl: float = 5.0, retry: float | None = None) -> None:
        self._locks = OwnerLock(client, LEASE_PREFIX)
        self.owner = owner
        self.ttl = ttl
        self.retry = retry if retry is not None else max(0.2, ttl / 5)

    def key(self, name: str) -> str:
        return self._locks.key(name)

    async def acquire(self, name: str) -> bool:
        return await self._locks.acquire(name, self.owner, self.ttl or 1.0)

    async def renew(self, name: str) -> bool:
        return await self._locks.extend(name, self.owner, self.ttl or 1.0)

    async def release(self, name: str) -> None:
        await self._locks.release(name, self.owner)

    async def holder(self, name: str) -> str | None:
        return await self._locks.holder(name)
