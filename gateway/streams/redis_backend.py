"""A broadcaster backend on redis-py 8's `redis.asyncio` pub/sub that survives Redis restarts.

broadcaster 0.3.1's own Redis backend marks itself ready before SUBSCRIBE completes (with
redis-py 8 it delivers nothing) and its listener dies silently when Redis restarts. This one:

- `subscribe(channel)` returns only once Redis confirmed the subscription (or after
  `confirm_timeout`, when Redis is down: the listener subscribes as soon as it is back), so an
  event published after `subscribe` returns is received;
- one listener task owns the pub/sub connection; on any connection error it drops it, waits
  with backoff (0.1 s doubling to 5 s), opens a new one and re-subscribes every channel;
- messages published while Redis is unreachable are lost (pub/sub is at-most-once): bridges
  fill gaps from their upstreams, and readers see the next event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from broadcaster import BroadcastBackend, Event
from redis import asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("gateway.streams")

_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisPubSubBackend(BroadcastBackend):
    def __init__(self, url: str, *, confirm_timeout: float = 5.0, client: Any = None) -> None:
        self._url = url
        self._client: Any = client
        self._own_client = client is None
        self._confirm_timeout = confirm_timeout
        self._channels: set[str] = set()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=10_000)
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self.reconnects = 0

    @property
    def client(self) -> Any:
        return self._client

    async def connect(self) -> None:
        if self._client is None:
            self._client = aioredis.Redis.from_url(self._url, socket_connect_timeout=2.0)
        self._listener = asyncio.create_task(self._listen(), name="redis pubsub listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._own_client and self._client is not None:
            await self._client.aclose()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        confirmed = self._confirmed.setdefault(channel, asyncio.Event())
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(*_DOWN):  # the listener re-subscribes when it reconnects
                await pubsub.subscribe(channel)
        try:
            await asyncio.wait_for(confirmed.wait(), self._confirm_timeout)
        except TimeoutError:
            log.warning("redis did not confirm SUBSCRIBE %s in %.1fs; continuing (it will be retried)",
                        channel, self._confirm_timeout)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._confirmed.pop(channel, None)
        pubsub = self._pubsub
        if pubsub is not None:
            with contextlib.suppress(*_DOWN):
                await pubsub.unsubscribe(channel)

    async def publish(self, channel: str, message: Any) -> None:
        await self._client.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def _listen(self) -> None:
        backoff = 0.1
        while True:
            pubsub = self._client.pubsub()
            try:
                await pubsub.connect()
                if self._channels:
                    await pubsub.subscribe(*sorted(self._channels))
                self._pubsub = pubsub
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._handle(message)
                        backoff = 0.1
            except _DOWN as exc:
                log.warning("redis pub/sub connection lost (%s); reconnecting in %.1fs",
                            type(exc).__name__, backoff)
            finally:
                self._pubsub = None
                for event in self._confirmed.values():
                    event.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(pubsub.aclose())
            self.reconnects += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        channel = message.get("channel")
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        if kind == "subscribe":
            confirmed = self._confirmed.get(name)
            if confirmed is not None:
                confirmed.set()
        elif kind == "message":
            data = message["data"]
            text = data.decode() if isinstance(data, bytes) else str(data)
            try:
                self._queue.put_nowait(Event(channel=name, message=text))
            except asyncio.QueueFull:
                log.error("stream messages are arriving faster than the hub dispatches them; dropped one on %s",
                          name)
