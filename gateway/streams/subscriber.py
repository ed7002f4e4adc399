"""A hub subscriber: one bounded queue of events, and the overflow policy that keeps it bounded.

Overflow policy: a subscriber that lets `size` events, or `max_bytes` bytes of them (their
encoded size: a few large events fill memory long before their count does), pile up (it reads
more slowly than its topics publish) is dropped rather than buffered without limit. Its queue is emptied at once (the
memory goes back), the hub detaches it from its topics, and its next read raises `SlowConsumer`,
which the subscription's operation reports as an error before it ends. Every other subscriber of
the same topics keeps receiving: one slow reader never slows the others down.

A topic whose bridge failed for good (status.py) ends its subscribers with that error (`fail`):
their next read raises it, code and source included, instead of waiting in silence.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

from gateway.errors import GatewayError, SlowConsumer
from gateway.streams.types import StreamEvent, Topic


class HubSubscription:
    """The events of one or more topics, in arrival order, for one reader.

    Iterate it (`async for event in sub`); iteration ends when the hub stops and raises
    `SlowConsumer` once the subscriber has been dropped for overflowing.
    """

    def __init__(self, topics: tuple[Topic, ...], size: int, release: Callable[[HubSubscription], None],
                 max_bytes: int = 4 * 2**20) -> None:
        self.topics = topics
        self._size = size
        self._max_bytes = max_bytes
        self._release = release
        self._queue: deque[tuple[StreamEvent, int]] = deque()
        self.queued_bytes = 0
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False
        self.ended = False  # the hub stopped: end iteration after what is queued
        self.closed = False
        self.failure: GatewayError | None = None  # the topic's bridge failed for good

    def put(self, event: StreamEvent, size: int = 0) -> bool:
        """Queue an event of `size` encoded bytes; False when the queue was full and the subscriber
        is now dropped."""
        if self.closed or self.overflowed:
            return False
        if len(self._queue) >= self._size or (self._queue and self.queued_bytes + size > self._max_bytes):
            self.overflowed = True
            self._queue.clear()
            self.queued_bytes = 0
            self._wake()
            return False
        self.queued_bytes += size
        self._queue.append((event, size))
        self._wake()
        return True

    def fail(self, error: GatewayError) -> None:
        """The stream cannot continue: the reader's next read raises `error` (it ends the stream)."""
        error.ends_stream = True
        self.failure = error
        self._queue.clear()
        self._wake()

    def end(self) -> None:
        """The hub is stopping: the reader gets what is queued, then the end of the stream."""
        self.ended = True
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> HubSubscription:
        return self

    async def __anext__(self) -> StreamEvent:
        while True:
            if self.failure is not None:
                raise self.failure
            if self.overflowed:
                raise SlowConsumer(f"Dropped: this subscription fell more than {self._size} events or "
                                   f"{self._max_bytes} bytes behind its stream")
            if self._queue:
                event, size = self._queue.popleft()
                self.queued_bytes -= size
                return event
            if self.ended or self.closed:
                raise StopAsyncIteration
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter

    def __len__(self) -> int:
        return len(self._queue)

    async def aclose(self) -> None:
        """Leave the hub (idempotent). The topic's bridge stops after the last reader leaves."""
        if not self.closed:
            self.closed = True
            self._queue.clear()
            self.queued_bytes = 0
            self._wake()
            self._release(self)
