"""WebSocket limits: message size, operation id length, bytes behind, topics per connection and per
replica, and subscriptions to markets that do not exist (refused before any upstream stream)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from gateway.edge.settings import EdgeSettings
from gateway.errors import SlowConsumer
from gateway.model.venue import Venue
from gateway.streams.subscriber import HubSubscription
from gateway.streams.types import StreamEvent, Topic
from gateway.ws.connection import Connection
from tests.api.ws_helpers import (
    TRANSPORT,
    ScriptedGateway,
    closed_with,
    connect,
    recv_json,
    scripted_gateway,
    send_json,
    subscribe,
)
from tests.streams.doubles import TRADER

HISTORY = "subscription($t: String!) { perpTradeHistory(where: {trader: $t, venue: JUPITER}) { id } }"
BORROWING = "subscription($m: Int!) { perpBorrowing(collateralId: 1, marketId: $m, venue: JUPITER) { marketId } }"
TRADERS = [TRADER, "So11111111111111111111111111111111111111112", "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T"]


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    edge = dataclasses.replace(EdgeSettings(), ws_max_message=4096, ws_max_id=64, ws_max_topics=2)
    with scripted_gateway(edge=edge) as gateway:
        yield gateway


async def test_a_message_over_the_limit_closes_4400(gw: ScriptedGateway) -> None:
    ws = await connect(gw.url)
    await send_json(ws, {"type": "ping", "payload": {"pad": "x" * 5000}})
    assert await closed_with(ws) == 4400 and ws.close_reason == "Message too large"


async def test_an_operation_id_over_the_limit_closes_4400(gw: ScriptedGateway) -> None:
    ws = await connect(gw.url)
    await send_json(ws, {"type": "subscribe", "id": "i" * 65, "payload": {"query": "{ __typename }"}})
    assert await closed_with(ws) == 4400 and ws.close_reason == "Operation id too long"


async def test_topics_per_connection_are_capped(gw: ScriptedGateway) -> None:
    ws = await connect(gw.url)
    try:
        await subscribe(ws, "a", HISTORY, {"t": TRADERS[0]})
        await subscribe(ws, "b", HISTORY, {"t": TRADERS[1]})
        await send_json(ws, {"type": "subscribe", "id": "c", "payload": {"query": HISTORY, "variables": {"t": TRADERS[2]}}})
        refused = await recv_json(ws)
        assert refused["id"] == "c" and refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        assert f"history:JUPITER:{TRADERS[2]}" not in gw.bridges.running  # no upstream stream for it
    finally:
        await ws.close()


async def test_a_market_that_does_not_exist_is_refused_before_any_stream(gw: ScriptedGateway) -> None:
    ws = await connect(gw.url)
    try:
        await send_json(ws, {"type": "subscribe", "id": "m", "payload": {"query": BORROWING, "variables": {"m": 9999}}})
        refused = await recv_json(ws)
        assert refused["type"] == "error" and refused["payload"][0]["extensions"]["code"] == "NOT_FOUND"
        assert not any(t.startswith("borrowing:") for t in gw.app.state.hub.stats()["topics"])
        await subscribe(ws, "ok", BORROWING, {"m": 1})  # SOL exists: subscribed
        assert "borrowing:JUPITER:1:1" in gw.app.state.hub.stats()["topics"]
    finally:
        await ws.close()


async def test_the_hub_caps_topics_per_replica() -> None:
    with scripted_gateway(edge=dataclasses.replace(EdgeSettings(), stream_max_topics=1)) as gw:
        ws = await connect(gw.url)
        await subscribe(ws, "a", HISTORY, {"t": TRADERS[0]})
        other = await connect(gw.url)
        await send_json(other, {"type": "subscribe", "id": "b", "payload": {"query": HISTORY, "variables": {"t": TRADERS[1]}}})
        refused = await recv_json(other)
        assert refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        await ws.close()
        await other.close()


async def test_the_send_buffer_counts_bytes_not_only_messages() -> None:
    overflowed: list[bool] = []
    never = asyncio.Event()

    async def stuck_send(message: object) -> None:
        await never.wait()  # a peer that reads nothing

    conn = Connection(stuck_send, limit=1000, on_overflow=lambda: overflowed.append(True), on_abort=lambda: None,
                      byte_limit=10_000)
    conn.start()
    for _ in range(5):
        conn.push("x" * 4_000)  # 5 messages, far below 1,000, but 20,000 bytes
    assert overflowed and conn.buffered <= 10_000
    await conn.finish()


async def test_a_hub_subscriber_is_dropped_by_bytes_behind() -> None:
    sub = HubSubscription((Topic("live", Venue.JUPITER),), 1000, lambda s: None, max_bytes=10_000)
    event = StreamEvent("live:JUPITER:", "1", {})
    assert sub.put(event, 6_000) and not sub.put(event, 6_000)  # two events, 12,000 bytes: dropped
    with pytest.raises(SlowConsumer):
        await sub.__anext__()


async def test_topics_per_caller_are_capped_across_its_connections() -> None:
    """GATEWAY_CALLER_MAX_TOPICS: one caller cannot take a replica's topics from everyone else by
    opening more sockets; its sockets together hold at most the cap, another caller is not affected."""
    edge = dataclasses.replace(EdgeSettings(), ws_max_topics=3, caller_max_topics=3, api_keys=("key-a", "key-b"))
    traders = [*TRADERS, "Vote111111111111111111111111111111111111111"]

    async def connect_as(gw: ScriptedGateway, key: str) -> Any:
        ws = await websockets.connect(gw.url, subprotocols=[TRANSPORT])  # type: ignore[list-item]
        await send_json(ws, {"type": "connection_init", "payload": {"X-API-Key": key}})
        assert (await recv_json(ws))["type"] == "connection_ack"
        return ws

    with scripted_gateway(edge=edge) as gw:
        first, second, other = await connect_as(gw, "key-a"), await connect_as(gw, "key-a"), await connect_as(gw, "key-b")
        try:
            await subscribe(first, "a", HISTORY, {"t": traders[0]})
            await subscribe(first, "b", HISTORY, {"t": traders[1]})
            await subscribe(second, "c", HISTORY, {"t": traders[2]})  # the caller's third topic
            await subscribe(second, "same", HISTORY, {"t": traders[0]})  # one it follows already: no new topic
            await send_json(second, {"type": "subscribe", "id": "d", "payload": {"query": HISTORY,
                                                                               "variables": {"t": traders[3]}}})
            refused = await recv_json(second)
            assert refused["id"] == "d" and refused["payload"][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
            assert "caller" in refused["payload"][0]["message"]
            assert f"history:JUPITER:{traders[3]}" not in gw.bridges.running  # no upstream stream for it
            await subscribe(other, "e", HISTORY, {"t": traders[3]})  # another caller: its own cap
            assert f"history:JUPITER:{traders[3]}" in gw.bridges.running
            await send_json(second, {"type": "complete", "id": "c"})  # key-a gives one up: room for one more
            await subscribe(second, "g", HISTORY, {"t": traders[3]})
        finally:
            for ws in (first, second, other):
                await ws.close()
