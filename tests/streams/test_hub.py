"""The hub with in-memory fan-out: one bridge per topic, linger, de-duplication, overflow, stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from gateway.errors import SlowConsumer
from gateway.model.venue import Venue
from gateway.streams.backend import MemoryBackend
from gateway.streams.changes import SnapshotChange
from gateway.streams.hub import Hub
from gateway.streams.subscriber import HubSubscription
from gateway.streams.types import StreamEvent, Topic
from tests.streams.doubles import ScriptedBridges, history_event

TOPIC = Topic("history", Venue.JUPITER, "J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK")
OTHER = Topic("live", Venue.NIBIRU)


@pytest.fixture
def bridges() -> ScriptedBridges:
    return ScriptedBridges()


@pytest.fixture
async def hub(bridges: ScriptedBridges) -> AsyncIterator[Hub]:
    hub = Hub(bridges, MemoryBackend(), linger=0.05, queue_size=4)
    await hub.start()
    yield hub
    await hub.stop()


async def until(predicate: object, what: str) -> None:
    """Wait (bounded) for a condition that the event loop makes true soon."""
    for _ in range(500):
        if callable(predicate) and predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


async def test_many_subscribers_share_one_bridge_and_all_receive(hub: Hub, bridges: ScriptedBridges) -> None:
    subs = [await hub.open(TOPIC) for _ in range(50)]
    await until(lambda: TOPIC.name in bridges.running, "bridge running")
    await bridges.emit(history_event(TOPIC, 1))
    received = [await asyncio.wait_for(sub.__anext__(), 5) for sub in subs]
    assert {e.id for e in received} == {"tx1"}
    assert bridges.starts[TOPIC.name] == 1
    for sub in subs:
        await sub.aclose()


async def test_the_bridge_stops_after_the_last_subscriber_and_the_linger(hub: Hub, bridges: ScriptedBridges) -> None:
    async with hub.subscribe(TOPIC):
        await until(lambda: TOPIC.name in bridges.running, "bridge running")
    await until(lambda: bridges.stops[TOPIC.name] == 1, "bridge stopped after the linger")
    assert hub.stats()["topics"] == {}
    async with hub.subscribe(TOPIC):
        await until(lambda: TOPIC.name in bridges.running, "bridge running again")
    assert bridges.starts[TOPIC.name] == 2


async def test_a_subscriber_arriving_within_the_linger_keeps_the_bridge(bridges: ScriptedBridges) -> None:
    hub = Hub(bridges, MemoryBackend(), linger=30)
    await hub.start()
    try:
        async with hub.subscribe(TOPIC):
            await until(lambda: TOPIC.name in bridges.running, "bridge running")
        async with hub.subscribe(TOPIC):
            assert TOPIC.name in bridges.running
        assert bridges.starts[TOPIC.name] == 1 and bridges.stops[TOPIC.name] == 0
    finally:
        await hub.stop()
    assert bridges.stops[TOPIC.name] == 1


async def test_an_event_id_seen_twice_is_delivered_once(hub: Hub, bridges: ScriptedBridges) -> None:
    async with hub.subscribe(TOPIC) as sub:
        await until(lambda: TOPIC.name in bridges.running, "bridge running")
        for seq in (1, 1, 2, 1, 2, 3):
            await hub.publish(history_event(TOPIC, seq))
        got = [(await asyncio.wait_for(sub.__anext__(), 5)).id for _ in range(3)]
        assert got == ["tx1", "tx2", "tx3"]
        await until(lambda: hub.counters["duplicates_dropped"] == 3, "duplicates counted")
        assert len(sub) == 0


async def test_a_full_queue_drops_that_subscriber_only(hub: Hub, bridges: ScriptedBridges) -> None:
    slow, fast = await hub.open(TOPIC), await hub.open(TOPIC)
    await until(lambda: TOPIC.name in bridges.running, "bridge running")
    fast_got: list[str] = []
    for seq in range(10):  # the queue holds 4: the slow one overflows on the 5th
        await hub.publish(history_event(TOPIC, seq))
        await until(lambda s=seq: len(fast) == 1 or f"tx{s}" in fast_got, "fast one got it")
        fast_got.append((await fast.__anext__()).id)
    assert fast_got == [f"tx{i}" for i in range(10)]
    assert len(slow) == 0  # its queue was emptied when it was dropped: memory given back
    with pytest.raises(SlowConsumer):
        await slow.__anext__()
    assert hub.counters["slow_subscribers_dropped"] == 1
    assert hub.stats()["topics"][TOPIC.name]["subscribers"] == 1
    await slow.aclose()
    await fast.aclose()


async def test_one_subscription_can_span_topics(hub: Hub, bridges: ScriptedBridges) -> None:
    async with hub.subscribe(TOPIC, OTHER) as sub:
        await until(lambda: {TOPIC.name, OTHER.name} <= set(bridges.running), "both bridges running")
        await hub.publish(history_event(OTHER, 1))
        await hub.publish(history_event(TOPIC, 2))
        assert [(await sub.__anext__()).topic for _ in range(2)] == [OTHER.name, TOPIC.name]


async def test_a_crashing_bridge_is_restarted(hub: Hub, bridges: ScriptedBridges) -> None:
    bridges.crash_next.add(TOPIC.name)
    async with hub.subscribe(TOPIC):
        await until(lambda: TOPIC.name in bridges.running, "bridge restarted after its crash")
    assert bridges.starts[TOPIC.name] == 2


async def test_stop_completes_subscribers_and_cancels_bridges(bridges: ScriptedBridges) -> None:
    hub = Hub(bridges, MemoryBackend(), linger=30)
    await hub.start()
    sub = await hub.open(TOPIC)
    await until(lambda: TOPIC.name in bridges.running, "bridge running")
    reader = asyncio.create_task(_drain(sub))
    await hub.stop()
    assert await asyncio.wait_for(reader, 5) == []
    assert bridges.stops[TOPIC.name] == 1 and not bridges.running
    with pytest.raises(RuntimeError):
        await hub.open(TOPIC)


async def _drain(sub: HubSubscription) -> list[StreamEvent]:
    return [event async for event in sub]


async def test_a_late_subscriber_of_a_state_topic_gets_the_last_state_first(hub: Hub, bridges: ScriptedBridges) -> None:
    topic = Topic("forward", Venue.NIBIRU, "lpVaults { address }")
    first = await hub.open(topic)
    await until(lambda: topic.name in bridges.running, "bridge running")
    await bridges.emit(StreamEvent(topic.name, "s1", {"data": [{"address": "a"}]}, state=True))
    await bridges.emit(StreamEvent(topic.name, "s2", {"data": [{"address": "b"}]}, state=True))
    assert [(await asyncio.wait_for(first.__anext__(), 5)).id for _ in range(2)] == ["s1", "s2"]
    late = await hub.open(topic)
    assert len(late) == 1 and (await late.__anext__()).id == "s2"  # queued at once: no wait for a change
    await bridges.emit(StreamEvent(topic.name, "s3", {"data": []}, state=True))
    assert (await asyncio.wait_for(late.__anext__(), 5)).id == "s3"
    changes = await hub.open(TOPIC)  # a topic of changes replays nothing
    assert len(changes) == 0
    for sub in (first, late, changes):
        await sub.aclose()


async def test_a_snapshot_that_comes_back_is_delivered_again(hub: Hub, bridges: ScriptedBridges) -> None:
    """A → B → A → B: four changes, four events (ids made by SnapshotChange); an id made of the
    payload's digest alone was dropped as seen, leaving subscribers at B while the state was A."""
    topic = Topic("borrowings", Venue.JUPITER)
    change = SnapshotChange()
    states = [{"borrowings": [n]} for n in (1, 2, 1, 2)]
    async with hub.subscribe(topic) as sub:
        await until(lambda: topic.name in bridges.running, "bridge running")
        for payload in [states[0], states[0], *states[1:]]:  # the first state polled twice: one change
            event_id = change.changed(payload)
            if event_id is not None:
                await hub.publish(StreamEvent(topic.name, event_id, payload))
        got = [(await asyncio.wait_for(sub.__anext__(), 5)).payload for _ in range(4)]
    assert got == states and hub.counters["duplicates_dropped"] == 0


def test_a_resumed_snapshot_change_continues_after_the_last_id() -> None:
    first = SnapshotChange()
    a, b = {"x": 1}, {"x": 2}
    ids = [first.changed(a), first.changed(b)]
    assert all(ids) and len(set(ids)) == 2
    resumed = SnapshotChange()
    resumed.resume_after(ids[-1] or "")
    assert resumed.changed(b) is None  # the state subscribers already got: not sent again
    following = resumed.changed(a)
    assert following is not None and following not in ids
