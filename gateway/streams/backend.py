"""Where published events travel between the hub's publishers and its listener.

Two backends share one small interface (broadcaster's shape: connect, subscribe, publish,
next_published): `MemoryBackend` for one process, `RedisPubSubBackend` (redis_backend.py) for
replicas. The interface carries `StreamEvent` objects, not text: in one process there is nothing
to encode, so the in-memory backend hands the listener the very object the bridge published.
Only the Redis backend turns events into text (messages.py), because only Redis needs bytes.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from gateway.streams.types import StreamEvent


class EventBackend(Protocol):
    async def connect(self) -> None: ...

    async def disconnect(self) -> None: ...

    async def subscribe(self, channel: str) -> None:
        """Returns once an event published to `channel` afterwards will be received."""

    async def unsubscribe(self, channel: str) -> None: ...

    async def publish(self, channel: str, event: StreamEvent) -> None: ...

    async def next_published(self) -> StreamEvent:
        """The next event of a subscribed channel (in publication order per publisher)."""


class MemoryBackend:
    """One process: a queue of the published objects themselves, filtered by subscription."""

    def __init__(self) -> None:
        self._subscribed: set[str] = set()
        self._published: asyncio.Queue[tuple[str, StreamEvent]] = asyncio.Queue()

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    async def subscribe(self, channel: str) -> None:
        self._subscribed.add(channel)

    async def unsubscribe(self, channel: str) -> None:
        self._subscribed.discard(channel)

    async def publish(self, channel: str, event: StreamEvent) -> None:
        self._published.put_nowait((channel, event))

    async def next_published(self) -> StreamEvent:
        while True:
            channel, event = await self._published.get()
            if channel in self._subscribed:
                return event
