"""Sai Keeper simulator subscriptions: the docs' four examples through a real gql client, and
the graphql-transport-ws / legacy graphql-ws protocol rules over a raw socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import websockets
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport
from websockets.typing import Subprotocol

from tests.sandbox.test_nibiru_support import (
    CLOSE_TYPES,
    doc,
    fresh_trader,
    inject,
    is_int,
    is_number,
    is_time,
    ws_url,
)

Result = dict[str, Any]
TRANSPORT_WS, LEGACY_WS = Subprotocol("graphql-transport-ws"), Subprotocol("graphql-ws")


async def _until_update(agen: AsyncGenerator[Result, None], trigger: Callable[[], Awaitable[object]],
                        attempts: int = 10) -> Result:
    """Trigger market activity until the subscription yields. The server registers its market
    listener when it handles `subscribe`, which may land just after a first trigger."""
    pending = asyncio.ensure_future(agen.__anext__())
    try:
        for _ in range(attempts):
            await trigger()
            done, _ = await asyncio.wait([pending], timeout=2.0)
            if done:
                return pending.result()
        raise AssertionError("no subscription update")
    finally:
        if not pending.done():
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)


def _transport(sandbox_url: str) -> WebsocketsTransport:
    return WebsocketsTransport(url=ws_url(sandbox_url), subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])


async def test_doc_watch_trades_with_gql_client(sandbox_url: str, control: httpx.AsyncClient) -> None:
    trader, example = fresh_trader("watch-trades"), doc("sub_perp_trades")
    async with Client(transport=_transport(sandbox_url)) as session:
        agen = session.subscribe(GraphQLRequest(example["query"], variable_values={"trader": trader}))
        try:
            result = await _until_update(agen, lambda: inject(
                control, trader=trader, symbol="BTC", action="open", size_usd=4_755_576.70, collateral_usd=2_377_788.35))
        finally:
            await agen.aclose()
    (trade,) = result["perpTrades"]
    assert is_int(trade["id"]) and trade["isOpen"] is True and trade["leverage"] == 2
    assert is_number(trade["state"]["pnlCollateral"]) and is_number(trade["state"]["pnlPct"])


async def test_doc_watch_trade_events(sandbox_url: str, control: httpx.AsyncClient) -> None:
    trader, example = fresh_trader("watch-events"), doc("sub_perp_trade_history")
    async with Client(transport=_transport(sandbox_url)) as session:
        agen = session.subscribe(GraphQLRequest(example["query"], variable_values={"trader": trader}))
        try:
            opened = await _until_update(agen, lambda: inject(
                control, trader=trader, symbol="ETH", action="open", size_usd=10_000, collateral_usd=1_000))
            await inject(control, trader=trader, symbol="ETH", action="close")
            closed = await agen.__anext__()
            while closed["perpTradeHistory"][0]["tradeChangeType"] not in CLOSE_TYPES:
                closed = await agen.__anext__()  # the first open may have been injected twice
        finally:
            await agen.aclose()
    first = opened["perpTradeHistory"]
    assert [i["tradeChangeType"] for i in first] in (
        ["position_opened"], ["limit_order_created", "order_triggered"], ["stop_order_created", "order_triggered"])
    assert all(i["realizedPnlCollateral"] is None and is_time(i["block"]["block_ts"]) for i in first)
    (item,) = closed["perpTradeHistory"]
    assert item["tradeChangeType"] == "position_closed_user" and is_number(item["realizedPnlCollateral"])
    assert is_int(item["id"]) and item["id"] > first[-1]["id"]


async def test_doc_watch_market_after_step(sandbox_url: str, control: httpx.AsyncClient) -> None:
    example = doc("sub_perp_borrowing")
    async with Client(transport=_transport(sandbox_url)) as session:
        agen = session.subscribe(GraphQLRequest(example["query"], variable_values={"collateralId": 1, "marketId": 1}))
        try:
            result = await _until_update(agen, lambda: control.post("/step", json={"seconds": 1}))
        finally:
            await agen.aclose()
    borrowing = result["perpBorrowing"]
    assert set(borrowing) == {"price", "oiLong", "oiShort", "feesPerHourLong", "feesPerHourShort"}
    assert is_number(borrowing["price"]) and borrowing["price"] > 1000  # BTC
    assert is_int(borrowing["oiLong"]) and is_int(borrowing["oiShort"])
    assert 0 < borrowing["feesPerHourLong"] < 0.01


async def test_doc_watch_all_markets_after_step(sandbox_url: str, control: httpx.AsyncClient) -> None:
    async with Client(transport=_transport(sandbox_url)) as session:
        agen = session.subscribe(GraphQLRequest(doc("sub_perp_borrowings")["query"]))
        try:
            result = await _until_update(agen, lambda: control.post("/step", json={"seconds": 1}))
        finally:
            await agen.aclose()
    rows = result["perpBorrowings"]
    assert len(rows) == 12 and all(is_int(r["marketId"]) and isinstance(r["visible"], bool) for r in rows)
    assert {r["baseToken"]["symbol"] for r in rows} == {"BTC", "ETH", "SOL", "ATOM", "NIBI", "TIA"}


async def _recv(ws: websockets.ClientConnection) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), 10))


async def _closed_with(ws: websockets.ClientConnection) -> int | None:
    with pytest.raises(websockets.ConnectionClosed) as info:
        await asyncio.wait_for(ws.recv(), 10)
    return info.value.rcvd.code if info.value.rcvd else None


async def test_transport_ws_protocol(sandbox_url: str) -> None:
    async with websockets.connect(ws_url(sandbox_url), subprotocols=[TRANSPORT_WS]) as ws:
        assert ws.subprotocol == "graphql-transport-ws"
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert await _recv(ws) == {"type": "connection_ack"}
        await ws.send(json.dumps({"type": "ping", "payload": {"n": 1}}))
        assert await _recv(ws) == {"payload": {"n": 1}, "type": "pong"}
        await ws.send(json.dumps({"id": "q", "type": "subscribe",
                                  "payload": {"query": "{ perp { borrowing(collateralId: 2, marketId: 3) { oiMax } } }"}}))
        assert await _recv(ws) == {"payload": {"data": {"perp": {"borrowing": {"oiMax": 50_000_000_000_000}}}},
                                   "id": "q", "type": "next"}
        assert await _recv(ws) == {"id": "q", "type": "complete"}
        await ws.send(json.dumps({"id": "bad", "type": "subscribe", "payload": {"query": "subscription { nope }"}}))
        error = await _recv(ws)
        assert error["type"] == "error" and error["id"] == "bad"
        assert error["payload"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
        assert await _recv(ws) == {"id": "bad", "type": "complete"}  # gqlgen completes after an error
        sub = {"id": "s", "type": "subscribe", "payload": {"query": "subscription { perpBorrowings { marketId } }"}}
        await ws.send(json.dumps(sub))
        await ws.send(json.dumps(sub))
        assert await _closed_with(ws) == 4409


@pytest.mark.parametrize(("frames", "code"), [
    ([{"id": "1", "type": "subscribe", "payload": {"query": "{ perp { borrowings { marketId } } }"}}], 4401),
    ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
    ([{"type": "connection_init"}, "not json"], 4400),
    ([{"type": "connection_init"}, {"type": "start", "id": "1", "payload": {}}], 4400),
])
async def test_transport_ws_close_codes(sandbox_url: str, frames: list[Any], code: int) -> None:
    async with websockets.connect(ws_url(sandbox_url), subprotocols=[TRANSPORT_WS]) as ws:
        for frame in frames:
            await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
        while True:
            try:
                await _recv(ws)  # a connection_ack may come first
            except websockets.ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == code
                break


async def _barrier(ws: websockets.ClientConnection) -> None:
    """The server sets an operation up before reading the next frame: after a pong, the
    subscription's market listener exists."""
    await ws.send(json.dumps({"type": "ping", "payload": {"barrier": True}}))
    assert await _recv(ws) == {"payload": {"barrier": True}, "type": "pong"}


async def test_stopping_a_subscription_completes_it(sandbox_url: str, control: httpx.AsyncClient) -> None:
    async with websockets.connect(ws_url(sandbox_url), subprotocols=[TRANSPORT_WS]) as ws:
        await ws.send(json.dumps({"type": "connection_init"}))
        await _recv(ws)
        query = "subscription { perpBorrowing(collateralId: 1, marketId: 2) { marketId } }"
        await ws.send(json.dumps({"id": "b", "type": "subscribe", "payload": {"query": query}}))
        await _barrier(ws)
        await control.post("/step", json={"seconds": 1})
        assert await _recv(ws) == {"payload": {"data": {"perpBorrowing": {"marketId": 2}}}, "id": "b", "type": "next"}
        await ws.send(json.dumps({"id": "b", "type": "complete"}))
        assert await _recv(ws) == {"id": "b", "type": "complete"}
        await ws.send(json.dumps({"id": "b", "type": "subscribe", "payload": {"query": query}}))  # id free again
        await _barrier(ws)
        await control.post("/step", json={"seconds": 1})
        assert (await _recv(ws))["type"] == "next"


async def test_gql_default_subprotocols_get_legacy_and_still_work(sandbox_url: str, control: httpx.AsyncClient) -> None:
    transport = WebsocketsTransport(url=ws_url(sandbox_url))  # gql offers both protocols
    async with Client(transport=transport) as session:
        agen = session.subscribe(GraphQLRequest("subscription { perpBorrowings { marketId } }"))
        try:
            result = await _until_update(agen, lambda: control.post("/step", json={"seconds": 1}))
        finally:
            await agen.aclose()
        assert transport.subprotocol == "graphql-ws"
    assert len(result["perpBorrowings"]) == 12


async def test_subscription_over_post_answers_with_the_first_event(sandbox_url: str, control: httpx.AsyncClient) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/nibiru", timeout=30) as sai:
        request = asyncio.ensure_future(sai.post("/query", json={
            "query": "subscription { perpBorrowing(collateralId: 2, marketId: 5) { marketId oiMax } }"}))
        for _ in range(20):
            await control.post("/step", json={"seconds": 1})
            done, _ = await asyncio.wait([request], timeout=0.5)
            if done:
                break
        res = await request
    assert res.status_code == 200
    assert res.json() == {"data": {"perpBorrowing": {"marketId": 5, "oiMax": 1_000_000 * 1_000_000}}}


async def test_legacy_protocol_without_subprotocol(sandbox_url: str) -> None:
    """gqlgen falls back to the legacy graphql-ws protocol when the client names none."""
    async with websockets.connect(ws_url(sandbox_url)) as ws:
        assert ws.subprotocol is None
        await ws.send(json.dumps({"type": "connection_init"}))
        assert await _recv(ws) == {"type": "connection_ack"}
        assert await _recv(ws) == {"type": "ka"}
        await ws.send(json.dumps({"id": "1", "type": "start",
                                  "payload": {"query": "{ perp { borrowing(collateralId: 1, marketId: 6) { visible } } }"}}))
        assert await _recv(ws) == {"payload": {"data": {"perp": {"borrowing": {"visible": False}}}},
                                   "id": "1", "type": "data"}
        assert await _recv(ws) == {"id": "1", "type": "complete"}
        await ws.send(json.dumps({"type": "connection_terminate"}))
        assert await _closed_with(ws) == 1000


async def test_both_subprotocols_offered_negotiates_legacy(sandbox_url: str) -> None:
    async with websockets.connect(ws_url(sandbox_url), subprotocols=[TRANSPORT_WS, LEGACY_WS]) as ws:
        assert ws.subprotocol == "graphql-ws"
        await ws.send(json.dumps({"type": "start", "id": "1", "payload": {}}))
        assert await _recv(ws) == {"payload": {"message": "unexpected message start"}, "type": "connection_error"}
        assert await _closed_with(ws) == 1002
