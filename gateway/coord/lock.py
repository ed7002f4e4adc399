"""One owner-checked Redis lock: SET NX PX to take it, compare-and-delete / compare-and-extend.

Used wherever one replica at a time must do something: the upstream single-flight, the
response-cache single-flight and the stream lease. The value is the holder's token (its owner id),
so only the holder can extend or release it: a replica that lost its lock (it expired while the
holder was paused) never deletes or prolongs the lock another replica has taken since. The
compare and the write run in one Lua script, so nothing can slip between them.

Every lock expires by itself (PX): a holder that dies delays the others by one ttl at most.
Redis errors reach the caller, which decides what they mean (usually: no coordination).
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def new_token() -> str:
    """A random owner token for one acquisition."""
    return secrets.token_hex(8)


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class OwnerLock:
    """Locks named `prefix + name` on `client`; the owner token is the caller's to choose."""

    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        # registering does no I/O: the script is loaded on first use (EVALSHA, then EVAL)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    def key(self, name: str) -> str:
        return self.prefix + name

    async def acquire(self, name: str, owner: str, ttl: float) -> bool:
        """Take the lock for `ttl` seconds if nobody holds it."""
        return bool(await self.client.set(self.key(name), owner, nx=True, px=_ms(ttl)))

    async def extend(self, name: str, owner: str, ttl: float) -> bool:
        """Reset the expiry to `ttl` seconds, only while `owner` still holds it."""
        return bool(await self._extend(keys=[self.key(name)], args=[owner, _ms(ttl)]))

    async def release(self, name: str, owner: str) -> bool:
        """Delete the lock, only if `owner` holds it; False if it had expired or was taken over."""
        return bool(await self._release(keys=[self.key(name)], args=[owner]))

    async def holder(self, name: str) -> str | None:
        value = await self.client.get(self.key(name))
        return value.decode() if isinstance(value, bytes) else value

    async def held(self, name: str) -> bool:
        return bool(await self.client.exists(self.key(name)))
