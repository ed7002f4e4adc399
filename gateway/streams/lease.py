"""Who runs a topic's bridge: a lease, so each upstream stream is held by one replica at a time.

Without Redis there is one replica and `LocalLease` always grants. With Redis, `RedisLease` is a
key per topic (`gateway:lease:<topic>`) set with `SET NX PX <ttl>` to this replica's owner id
(`host:pid:random`, so an operator can tell who holds it), renewed every ttl/3 while held and
deleted on release. Renewal and release compare the owner first (a Lua script), so a replica
never extends or deletes a lease another replica took over. When the holder dies its key expires
after at most one ttl and the next replica that tries (every `retry` seconds) takes it over.
"""

from __future__ import annotations

import os
import secrets
import socket
from typing import Any, Protocol

LEASE_PREFIX = "gateway:lease:"

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


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

    def __init__(self, client: Any, owner: str, ttl: float = 5.0, retry: float | None = None) -> None:
        self._client = client
        self.owner = owner
        self.ttl = ttl
        self.retry = retry if retry is not None else max(0.2, ttl / 5)
        self._scripts: dict[str, Any] = {}

    def _script(self, text: str) -> Any:
        # registered on first use: the client may only exist once the app's loop runs
        if text not in self._scripts:
            self._scripts[text] = self._client.register_script(text)
        return self._scripts[text]

    def key(self, name: str) -> str:
        return LEASE_PREFIX + name

    @property
    def _ms(self) -> int:
        return max(1, int((self.ttl or 1.0) * 1000))

    async def acquire(self, name: str) -> bool:
        return bool(await self._client.set(self.key(name), self.owner, nx=True, px=self._ms))

    async def renew(self, name: str) -> bool:
        return bool(await self._script(_RENEW)(keys=[self.key(name)], args=[self.owner, self._ms]))

    async def release(self, name: str) -> None:
        await self._script(_RELEASE)(keys=[self.key(name)], args=[self.owner])

    async def holder(self, name: str) -> str | None:
        value = await self._client.get(self.key(name))
        return value.decode() if isinstance(value, bytes) else value
