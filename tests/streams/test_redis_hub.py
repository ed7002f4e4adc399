"""The hub across replicas on a real Redis: fan-out to every replica, one bridge per topic, takeover,
and a pub/sub backend that comes back after a Redis restart."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from redis import asyncio as aioredis

from gateway.cli import free_port
from gateway.coord.redis import connect
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.streams.build import build_hub
from gateway.streams.hub import Hub
from gateway.streams.lease import LEASE_PREFIX
from gateway.streams.messages import channel_of, dumps
from gateway.streams.redis_backend import RedisPubSubBackend
from gateway.streams.types import Topic
from tests.streams.doubles import ScriptedBridges, history_event
from tests.streams.redis_proc import RedisProcess
from tests.streams.test_hub import until

pytestmark = pytest.mark.redis

TOPIC = Topic("history", Venue.JUPITER, "J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK")


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[Hub, Hub, ScriptedBridges]]:
    client = aioredis.Redis.from_url(redis_url)
    await client.delete(LEASE_PREFIX + TOPIC.name)
    await client.aclose()
    bridges = ScriptedBridges()
    settings = Settings(redis_url=redis_url, stream_linger=0.1, stream_lease_ttl=1.0)
    clients = connect(redis_url), connect(redis_url)  # one per replica, as each app builds its own
    a, b = build_hub(settings, bridges, clients[0]), build_hub(settings, bridges, clients[1])
    await a.start()
    await b.start()
    yield a, b, bridges
    await a.stop()
    await b.stop()
    for c in clients:
        await c.aclose()


def holders(*hubs: Hub) -> list[bool]:
    return [bool(h.stats()["topics"].get(TOPIC.name, {}).get("bridge")) for h in hubs]


async def test_an_event_published_on_one_replica_reaches_subscribers_on_both(
    replicas: tuple[Hub, Hub, ScriptedBridges],
) -> None:
    a, b, bridges = replicas
    async with a.subscribe(TOPIC) as on_a, b.subscribe(TOPIC) as on_b:
        await until(lambda: TOPIC.name in bridges.running, "a bridge running")
        await until(lambda: sum(holders(a, b)) == 1, "one replica holds the lease")
        await b.publish(history_event(TOPIC, 1))  # e.g. a webhook received by replica b
        assert (await asyncio.wait_for(on_a.__anext__(), 10)).id == "tx1"
        assert (await asyncio.wait_for(on_b.__anext__(), 10)).id == "tx1"
        assert bridges.starts[TOPIC.name] == 1  # one upstream stream for both replicas


async def test_the_other_replica_takes_the_bridge_over_when_the_holder_leaves(
    replicas: tuple[Hub, Hub, ScriptedBridges],
) -> None:
    a, b, bridges = replicas
    first = await a.open(TOPIC)
    await until(lambda: holders(a, b) == [True, False], "replica a holds the bridge")
    second = await b.open(TOPIC)
    await first.aclose()  # a's last subscriber leaves: after the linger a releases the lease
    await until(lambda: holders(a, b) == [False, True], "replica b took the bridge over")
    await bridges.emit(history_event(TOPIC, 7))
    assert (await asyncio.wait_for(second.__anext__(), 10)).id == "tx7"
    assert bridges.starts[TOPIC.name] == 2
    await second.aclose()


async def test_the_pubsub_backend_resubscribes_after_a_redis_restart() -> None:
    server = RedisProcess(free_port())
    server.start()
    client = connect(server.url)
    backend = RedisPubSubBackend(client)
    publisher = aioredis.Redis.from_url(server.url)
    try:
        await backend.connect()
        await backend.subscribe(channel_of(TOPIC.name))
        await publisher.publish(channel_of(TOPIC.name), dumps(history_event(TOPIC, 0)))
        assert (await asyncio.wait_for(backend.next_published(), 10)).id == "tx0"
        server.kill()
        server.start()
        got = None
        for attempt in range(100):  # bounded: publish until the re-subscribed listener hears one
            with contextlib.suppress(Exception):
                await publisher.publish(channel_of(TOPIC.name), dumps(history_event(TOPIC, 100 + attempt)))
            try:
                got = await asyncio.wait_for(backend.next_published(), 0.2)
                break
            except TimeoutError:
                continue
        assert got is not None and got.id.startswith("tx1")
        assert backend.reconnects >= 1
    finally:
        await backend.disconnect()
        await client.aclose()
        await publisher.aclose()
        server.kill()
