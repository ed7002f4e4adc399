"""One in-process single-flight: concurrent callers of the same key share one running call.

The first caller of a key starts the work as its own task; every caller of that key (the first
too) awaits it through `asyncio.shield`, so a caller that goes away (its client disconnected) does
not cancel the call the others wait for, and its answer still reaches whatever cache it fills.

What a failure means differs per user, so it is a parameter:

- `share_failure=True` (upstream calls): the failure is the outcome; every caller of the flight
  gets the same exception. Calling a failing upstream again at once, once per waiter, would only
  multiply the load on something that is already failing (the retry policy already retried).
- `share_failure=False` (response cache): a failure belongs to the caller that started the
  flight; the callers that only waited try again themselves (one of them leads the next flight),
  so a failure is never handed to callers who did not cause it and never leaves one hanging.

Cross-replica coordination is a layer above (a Redis lock, see `lock.py`); this one is one process.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """One running task per key in this process."""

    def __init__(self, *, share_failure: bool = True) -> None:
        self.share_failure = share_failure
        self._tasks: dict[str, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """The outcome of the flight for `key` (started by this call if none is running)."""
        outcome, _ = await self.share(key, work)
        return outcome

    async def share(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The outcome, and whether this call started the flight that produced it (True) or
        joined one another caller started (False)."""
        while True:
            task = self._tasks.get(key)
            led = task is None
            if task is None:
                task = asyncio.ensure_future(work())
                self._tasks[key] = task
                task.add_done_callback(functools.partial(self._done, key))
            try:
                return await asyncio.shield(task), led
            except asyncio.CancelledError:
                current = asyncio.current_task()
                by_us = current is not None and current.cancelling() > 0
                if task.cancelled() and not led and not self.share_failure and not by_us:
                    continue  # the flight was cancelled, not this caller: lead the next one
                raise
            except Exception:
                if led or self.share_failure:
                    raise
                # a waiter of a failed flight: try again (the failed task has left the table)

    def _done(self, key: str, task: asyncio.Task[T]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled():
            task.exception()  # retrieved: every waiter may have gone, the error is theirs to see
