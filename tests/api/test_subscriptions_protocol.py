"""GraphQL over WebSocket, both subprotocols, against a gateway whose bridges the test drives."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import websockets

from gateway.model.venue import Venue
from gateway.streams.types import StreamEvent, Topic
from tests.api.ws_helpers import (
    LEGACY,
    ScriptedGateway,
    closed_with,
    connect,
    recv_json,
    scripted_gateway,
    send_json,
    subscribe,
)
from tests.streams.doubles import TRADER, history_event, history_item

HISTORY = "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id tradeChangeType market venue trader sizeDeltaUsd trade { id isOpen sizeUsd } } }"
LIVE = "subscription($w: PerpLiveTradesFilter) { perpLiveTrades(where: $w) { id market venue sizeDeltaUsd } }"
TOPIC = Topic("history", Venue.JUPITER, TRADER)


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway() as gateway:
        yield gateway


def expected_history(seq: int) -> dict[str, Any]:
    item = history_item(seq)
    return {"id": seq, "tradeChangeType": "position_opened", "market": "SOL", "venue": "JUPITER", "trader": TRADER,
            "sizeDeltaUsd": item.sizeDeltaUsd, "trade": {"id": seq, "isOpen": True, "sizeUsd": item.trade.sizeUsd}}


async def test_a_subscriber_receives_events_mapped_as_the_schema_types(gw: ScriptedGateway) -> None:
    async with await connect(gw.url) as ws:
        await subscribe(ws, "h", HISTORY, {"t": TRADER})
        await asyncio.to_thread(gw.bridges.emit_threadsafe, history_event(TOPIC, 1))
        message = await recv_json(ws)
        assert message == {"id": "h", "type": "next", "payload": {"data": {"perpTradeHistory": [expected_history(1)]}}}
        await send_json(ws, {"type": "complete", "id": "h"})
        await send_json(ws, {"type": "ping", "payload": {"n": 1}})
        assert await recv_json(ws) == {"type": "pong", "payload": {"n": 1}}


async def test_identical_subscriptions_share_one_execution(gw: ScriptedGateway) -> None:
    endpoint = gw.app.state.subscriptions
    sockets = [await connect(gw.url) for _ in range(5)]
    try:
        for i, ws in enumerate(sockets):
            await subscribe(ws, f"op{i}", HISTORY, {"t": TRADER})
        assert endpoint.stats()["groups"] == 1
        await asyncio.to_thread(gw.bridges.emit_threadsafe, history_event(TOPIC, 2))
        for i, ws in enumerate(sockets):
            message = await recv_json(ws)
            assert message["id"] == f"op{i}" and message["payload"]["data"]["perpTradeHistory"] == [expected_history(2)]
        assert gw.bridges.starts[TOPIC.name] >= 1 and len(gw.app.state.hub.stats()["topics"]) == 1
    finally:
        for ws in sockets:
            await ws.close()


async def test_live_trades_one_message_per_trade_filtered_by_market_and_size(gw: ScriptedGateway) -> None:
    live = Topic("live", Venue.JUPITER)
    async with await connect(gw.url) as ws:
        await subscribe(ws, "l", LIVE, {"w": {"venue": "JUPITER", "market": "sol", "minSizeUsd": 500}})
        items = [history_item(1, market="SOL", size_usd=1000), history_item(2, market="ETH", size_usd=5000),
                 history_item(3, market="SOL", size_usd=100), history_item(4, market="SOL", size_usd=None),
                 history_item(5, market="SOL", size_usd=-800)]
        event = StreamEvent(live.name, "batch", {"items": list(items)})
        await asyncio.to_thread(gw.bridges.emit_threadsafe, event)
        first, second = await recv_json(ws), await recv_json(ws)
        assert [first["payload"]["data"]["perpLiveTrades"]["id"], second["payload"]["data"]["perpLiveTrades"]["id"]] == [1, 5]


async def test_live_trades_without_a_venue_cover_every_configured_venue(gw: ScriptedGateway) -> None:
    async with await connect(gw.url) as ws:
        await subscribe(ws, "all", LIVE)
        topics = set(gw.app.state.hub.stats()["topics"])
        assert {"live:NIBIRU:", "live:JUPITER:"} <= topics and "live:HYPERLIQUID:" not in topics
        event = history_event(Topic("live", Venue.NIBIRU), 9, venue=Venue.NIBIRU, trader="nibi1x")
        gw.wait_running("live:NIBIRU:")
        await asyncio.to_thread(gw.bridges.emit_threadsafe, event)
        assert (await recv_json(ws))["payload"]["data"]["perpLiveTrades"]["venue"] == "NIBIRU"


@pytest.mark.parametrize(("query", "variables", "code"), [
    (HISTORY, {"t": "not-an-address"}, "BAD_USER_INPUT"),
    (HISTORY.replace("trader: $t}", "trader: $t, venue: HYPERLIQUID}"), {"t": "0x" + "ab" * 20}, "SOURCE_NOT_CONFIGURED"),
    (LIVE, {"w": {"venue": "HYPERLIQUID"}}, "SOURCE_NOT_CONFIGURED"),
    (LIVE, {"w": {"minSizeUsd": -1}}, "BAD_USER_INPUT"),
    ("subscription { perpTrades(where: {}) { id } }", {}, "GRAPHQL_VALIDATION_FAILED"),
    ("subscription { perpTrades(", {}, "GRAPHQL_PARSE_FAILED"),
])
async def test_bad_subscriptions_get_an_error_before_anything_is_subscribed(
    gw: ScriptedGateway, query: str, variables: dict[str, Any], code: str
) -> None:
    before = set(gw.app.state.hub.stats()["topics"])
    async with await connect(gw.url) as ws:
        await send_json(ws, {"type": "subscribe", "id": "e", "payload": {"query": query, "variables": variables}})
        message = await recv_json(ws)
        assert message["type"] == "error" and message["id"] == "e"
        assert [e["extensions"]["code"] for e in message["payload"]] == [code]
    assert set(gw.app.state.hub.stats()["topics"]) <= before


async def test_a_query_over_the_socket_gets_next_then_complete(gw: ScriptedGateway) -> None:
    async with await connect(gw.url) as ws:
        await send_json(ws, {"type": "subscribe", "id": "q", "payload": {"query": "{ __typename }"}})
        assert await recv_json(ws) == {"id": "q", "type": "next", "payload": {"data": {"__typename": "Query"}}}
        assert await recv_json(ws) == {"id": "q", "type": "complete"}


@pytest.mark.parametrize(("messages", "code"), [
    ([{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }"}}], 4401),
    ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
    (["not json"], 4400),
    ([{"type": "connection_init"}, {"type": "bogus"}], 4400),
    ([{"type": "connection_init"}, {"type": "subscribe", "id": "", "payload": {"query": "{ __typename }"}}], 4400),
    ([{"type": "connection_init", "payload": "x"}], 4400),
])
async def test_protocol_violations_close_with_the_spec_codes(
    gw: ScriptedGateway, messages: list[Any], code: int
) -> None:
    async with websockets.connect(gw.url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        for message in messages:
            await (ws.send(message) if isinstance(message, str) else send_json(ws, message))
        assert await closed_with(ws) == code


async def test_a_running_id_reused_closes_4409(gw: ScriptedGateway) -> None:
    async with await connect(gw.url) as ws:
        await subscribe(ws, "dup", HISTORY, {"t": TRADER})
        await send_json(ws, {"type": "subscribe", "id": "dup", "payload": {"query": HISTORY, "variables": {"t": TRADER}}})
        assert await closed_with(ws) == 4409


async def test_no_known_subprotocol_closes_4406(gw: ScriptedGateway) -> None:
    async with websockets.connect(gw.url) as ws:
        assert await closed_with(ws) == 4406


async def test_no_connection_init_in_time_closes_4408(gw: ScriptedGateway) -> None:
    async with websockets.connect(gw.url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        assert await closed_with(ws) == 4408


async def test_legacy_graphql_ws_start_data_stop_complete(gw: ScriptedGateway) -> None:
    async with await connect(gw.url, LEGACY) as ws:
        await send_json(ws, {"type": "start", "id": "1", "payload": {"query": HISTORY, "variables": {"t": TRADER}}})
        gw.wait_running(TOPIC.name)
        for _ in range(50):  # legacy has no ping barrier: emit until the operation has joined
            await asyncio.to_thread(gw.bridges.emit_threadsafe, history_event(TOPIC, 100))
            try:
                message = await recv_json(ws, within=0.2)
            except TimeoutError:
                continue
            if message["type"] == "data":
                break
        assert message == {"id": "1", "type": "data", "payload": {"data": {"perpTradeHistory": [expected_history(100)]}}}
        await send_json(ws, {"type": "stop", "id": "1"})
        assert await recv_json(ws) == {"id": "1", "type": "complete"}
        await send_json(ws, {"type": "start", "id": "2", "payload": {"query": HISTORY, "variables": {"t": "bad"}}})
        error = await recv_json(ws)
        assert error["type"] == "error" and error["payload"]["extensions"]["code"] == "BAD_USER_INPUT"
        await send_json(ws, {"type": "connection_terminate"})
        assert await closed_with(ws) == 1000
