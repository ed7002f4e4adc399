"""Single-flight across replicas: one replica at a time calls an upstream for a key.

In-process, concurrent identical requests already share one call (`coord.singleflight`, failures
shared: see `shared.py`). Across replicas (aiocache's stampede helpers only coordinate one
process), that one call first takes a short owner-checked Redis lock (`coord.lock`,
`gateway:flight:<key>`) that expires when the holder's deadline does, so a replica that dies
while holding it delays the others by one deadline at most. A replica that does not get the lock
polls for the holder's answer to appear in the cache; if the lock disappears without an answer
(the holder failed), it tries to take the lock itself; at its own deadline it stops waiting and
calls. Redis trouble means "no coordination", never a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError

from gateway.coord.lock import OwnerLock, new_token

T = TypeVar("T")

LOCK_PREFIX = "gateway:flight:"


async def across_replicas(lock: OwnerLock, key: str, deadline: float, fetch: Callable[[], Awaitable[T]],
                          look: Callable[[], Awaitable[T | None]]) -> T:
    """`fetch` in one replica at a time; the others wait for `look` to find the holder's answer."""
    loop = asyncio.get_running_loop()
    while True:
        token = new_token()
        try:
            taken = await lock.acquire(key, token, ttl=max(0.1, deadline - loop.time()))
        except (RedisError, OSError):
            return await fetch()
        if taken:
            try:
                return await fetch()
            finally:
                with contextlib.suppress(RedisError, OSError):  # if not, it expires by itself
                    await lock.release(key, token)
        delay = 0.01
        while True:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)
            try:
                found = await look()
                if found is not None:
                    return found
                if loop.time() >= deadline:
                    return await fetch()  # waited a whole deadline: the holder is gone or stuck
                if not await lock.held(key):
                    # released: the holder stores its answer before releasing, so an answer stored
                    # between the look above and this check is there now (without this second
                    # look, that race made a second upstream call: seen under load)
                    found = await look()
                    if found is not None:
                        return found
                    break  # released without an answer: try to take it
            except (RedisError, OSError):
                return await fetch()
