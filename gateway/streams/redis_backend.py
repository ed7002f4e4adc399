"""The event backend across replicas: Redis pub/sub on the app's client, surviving Redis restarts.

broadcaster 0.3.1's Redis backend marks itself ready before SUBSCRIBE completes (with redis-py 8
it delivers nothing) and its listener dies silently when Redis restarts. This one:

- `subscribe(channel)` returns only once Redis confirmed the subscription (or after
  `confirm_timeout`, when Redis is down: the listener subscribes as soon as it is back), so an
  event published after `subscribe` returns is received;
- one listener task owns the pub/sub connection (taken from the app client's pool); on any
  connection error it drops it, waits with backoff (`coord.backoff`, 0.1 s doubling to 5 s, equal
  jitter so replicas do not reconnect in lockstep), opens a new one and re-subscribes every channel;
- events are encoded here and only here (messages.py): `publish` sends text, the listener turns
  what it receives back into objects and drops (with a warning) what does not decode;
- messages published while Redis is unreachable are lost (pub/sub is at-most-once): bridges
  fill gaps from their upstreams, and readers see the next event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.coord.backoff import Backoff
from gateway.streams import messages
from gateway.streams.types import StreamEvent

log = logging.getLogger("gateway.streams")

_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisPubSubBackend:
    def __init__(self, client: Redis, *, confirm_timeout: float = 5.0) -> None:
        self._client = client  # the app's: closed by the app, not here
        self._confirm_timeout = confirm_timeout
        self._channels: set[str] = set()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._queue: asyncio.Queue[StreamEvent] = asyncio.Queue(maxsize=10_000)
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self.reconnects = 0

    async def connect(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="redis pubsub listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

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

    async def publish(self, channel: str, event: StreamEvent) -> None:
        await self._client.publish(channel, messages.dumps(event))

    async def next_published(self) -> StreamEvent:
        return await self._queue.get()

    async def _listen(self) -> None:
        backoff = Backoff(0.1, 5.0)
        while True:
            pubsub: Any = self._client.pubsub()  # redis-py leaves connect/aclose untyped
            try:
                await pubsub.connect()
                if self._channels:
                    await pubsub.subscribe(*sorted(self._channels))
                self._pubsub = pubsub
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._handle(message)
                        backoff.reset()
            except _DOWN as exc:
                log.warning("redis pub/sub connection lost (%s); reconnecting", type(exc).__name__)
            finally:
                self._pubsub = None
                for event in self._confirmed.values():
                    event.clear()
                with contextlib.suppress(Exception):
                    await asyncio.shield(pubsub.aclose())
            self.reconnects += 1
            await asyncio.sleep(backoff.next())

    def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        channel = message.get("channel")
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        if kind == "subscribe":
            confirmed = self._confirmed.get(name)
            if confirmed is not None:
                confirmed.set()
        elif kind == "message":
            try:
                event = messages.loads(message["data"])
            except ValueError:
                log.warning("ignored a malformed stream message on %s", name)
                return
            try:
                self._queue.put_nowait(event)
            except asyncio.QueueFull:
                log.error("stream messages are arriving faster than the hub dispatches them; dropped one on %s",
                          name)
