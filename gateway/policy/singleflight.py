"""Single-flight: concurrent identical upstream requests share one call, in-process and across replicas.

In-process, the first caller of a key starts the call as a task and every caller (the first too)
awaits it through `asyncio.shield`: a caller that goes away (its client disconnected) does not
cancel the call the others wait for, and the answer still reaches the cache.

Across replicas (aiocache's stampede helpers only coordinate one process), the task first takes a
short Redis lock, `SET gateway:flight:<key> <token> NX PX <ms>`, that expires when the holder's
deadline does, so a replica that dies while holding it delays the others by one deadline at most.
A replica that does not get the lock polls for the holder's answer to appear in the cache; if the
lock disappears without an answer (the holder failed), it tries to take the lock itself; at its
own deadline it stops waiting and calls. Redis trouble means "no coordination", never a failure.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import uuid
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

T = TypeVar("T")

LOCK_PREFIX = "gateway:flight:"
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end"


class SingleFlight(Generic[T]):
    """One running task per key in this process."""

    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        task = self._tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._tasks[key] = task
            task.add_done_callback(functools.partial(self._done, key))
        return await asyncio.shield(task)

    def _done(self, key: str, task: asyncio.Task[T]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone, the error is theirs to see


class FlightLock:
    """The cross-replica lock: SET NX PX, released only by its holder (compare-and-delete)."""

    def __init__(self, client: Redis) -> None:
        self.client = client
        self._release = client.register_script(_RELEASE)

    async def acquire(self, key: str, ttl: float) -> str | None:
        token = uuid.uuid4().hex
        taken = await self.client.set(LOCK_PREFIX + key, token, nx=True, px=max(1, int(ttl * 1000)))
        return token if taken else None

    async def release(self, key: str, token: str) -> None:
        with contextlib.suppress(RedisError, OSError):  # if not, it expires by itself
            await self._release(keys=[LOCK_PREFIX + key], args=[token])

    async def held(self, key: str) -> bool:
        return bool(await self.client.exists(LOCK_PREFIX + key))


async def across_replicas(lock: FlightLock, key: str, deadline: float, fetch: Callable[[], Awaitable[T]],
                          look: Callable[[], Awaitable[T | None]]) -> T:
    """`fetch` in one replica at a time; the others wait for `look` to find the holder's answer."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            token = await lock.acquire(key, ttl=max(0.1, deadline - loop.time()))
        except (RedisError, OSError):
            return await fetch()
        if token is not None:
            try:
                return await fetch()
            finally:
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
                    break  # released without an answer: try to take it
            except (RedisError, OSError):
                return await fetch()
