"""Events are encoded only when they cross Redis: in one process the published object arrives.

In memory, a subscriber gets the very `StreamEvent` a bridge published, its payload the very
schema objects (identity, not equality: an encode/decode round trip would build new objects).
The payload here even holds a value the codec cannot encode to JSON, so any encoding on the way
would fail the delivery. Across Redis the same event arrives as equal objects of the model types.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from gateway.api.subscription import live_filter
from gateway.model.types import PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.streams.backend import MemoryBackend
from gateway.streams.build import build_hub
from gateway.streams.hub import Hub
from gateway.streams.messages import dumps
from gateway.streams.types import StreamEvent, Topic
from tests.streams.doubles import ScriptedBridges, history_event, history_item
from tests.streams.test_hub import until

TOPIC = Topic("live", Venue.JUPITER)


class NotJson:
    """A payload value that json.dumps refuses: only an untouched object gets through with it."""


@pytest.fixture
def bridges() -> ScriptedBridges:
    return ScriptedBridges()


async def test_the_in_memory_hub_delivers_the_identical_object_without_encoding_it(bridges: ScriptedBridges) -> None:
    hub = Hub(bridges, MemoryBackend(), linger=30)
    await hub.start()
    try:
        async with hub.subscribe(TOPIC) as sub:
            await until(lambda: TOPIC.name in bridges.running, "bridge running")
            item = history_item(1)
            marker = NotJson()
            published = StreamEvent(TOPIC.name, "tx1", {"items": [item], "marker": marker})
            with pytest.raises(TypeError):
                dumps(published)  # what the Redis path would do with it
            await bridges.emit(published)
            received = await asyncio.wait_for(sub.__anext__(), 5)
        assert received is published
        assert received.payload["items"][0] is item and received.payload["marker"] is marker
        assert live_filter(None, None)(received) == [item] and live_filter(None, None)(received)[0] is item
    finally:
        await hub.stop()


@pytest.fixture
async def redis_hubs(redis_client: Redis, bridges: ScriptedBridges) -> AsyncIterator[tuple[Hub, Hub]]:
    settings = Settings(redis_url="redis://unused", stream_linger=0.1, stream_lease_ttl=1.0)
    a, b = build_hub(settings, bridges, redis_client), build_hub(settings, bridges, redis_client)
    await a.start()
    await b.start()
    yield a, b
    await a.stop()
    await b.stop()


@pytest.mark.redis
async def test_across_redis_the_event_arrives_as_equal_model_objects(redis_hubs: tuple[Hub, Hub]) -> None:
    a, b = redis_hubs
    topic = Topic("history", Venue.JUPITER, "Objects1111111111111111111111111111111111111")
    async with b.subscribe(topic) as on_b:
        published = history_event(topic, 7)
        await a.publish(published)
        received = await asyncio.wait_for(on_b.__anext__(), 10)
    (item,) = received.payload["items"]
    assert received is not published and isinstance(item, PerpTradeHistoryItem)
    assert received == published, "decoded into exactly the objects that were published"
