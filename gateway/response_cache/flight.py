"""In-process single-flight: concurrent identical misses share one execution.

The first request for a key computes; requests for the same key arriving meanwhile await its
outcome instead of executing the query again. If the computing request fails, the waiting ones
are told to try again themselves (one of them becomes the next leader), so a failure never
leaves a waiter hanging and is never handed to callers who did not cause it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Flights(Generic[T]):
    def __init__(self) -> None:
        self._running: dict[str, asyncio.Future[T | None]] = {}

    def __len__(self) -> int:
        return len(self._running)

    async def run(self, key: str, compute: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The outcome for `key`, and whether this call computed it (True) or shared it (False)."""
        while True:
            running = self._running.get(key)
            if running is None:
                return await self._lead(key, compute), True
            shared = await asyncio.shield(running)
            if shared is not None:
                return shared, False

    async def _lead(self, key: str, compute: Callable[[], Awaitable[T]]) -> T:
        future: asyncio.Future[T | None] = asyncio.get_running_loop().create_future()
        self._running[key] = future
        outcome: T | None = None
        try:
            outcome = await compute()
            return outcome
        finally:
            del self._running[key]
            future.set_result(outcome)  # None: the leader failed; waiters compute themselves
