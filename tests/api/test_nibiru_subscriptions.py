"""NIBIRU subscriptions through the gateway: real gql clients on both WebSocket subprotocols."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.websockets import WebsocketsTransport

from sandbox import addresses

SUB = gql("subscription($t: String!) { perpTrades(where: {trader: $t}) { id isOpen isLong collateralAmount venue market } }")


async def _first_update(ws_url: str, subprotocol: str, trader: str, control: httpx.AsyncClient) -> list[dict[str, Any]]:
    transport = WebsocketsTransport(url=ws_url, subprotocols=[subprotocol], close_timeout=1)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        stream = session.subscribe(GraphQLRequest(SUB, variable_values={"t": trader}))

        async def inject_when_subscribed() -> None:
            await asyncio.sleep(0.5)  # the upstream subscription is opened on the first pull
            r = await control.post("/inject", json={
                "venue": "NIBIRU", "trader": trader, "symbol": "ETH", "action": "open",
                "is_long": False, "size_usd": 30_000, "collateral_usd": 3_000})
            assert r.status_code == 200

        injector = asyncio.create_task(inject_when_subscribed())
        async for data in stream:
            trades: list[dict[str, Any]] = data["perpTrades"]
            if trades:
                await injector
                return trades
    raise AssertionError("stream ended without an update")


@pytest.mark.parametrize("subprotocol", [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
                                         WebsocketsTransport.APOLLO_SUBPROTOCOL])
async def test_perp_trades_subscription_receives_an_injected_trade(
    gateway_url: str, live_control: httpx.AsyncClient, subprotocol: str
) -> None:
    trader = addresses.nibiru_address(random.Random(f"sub-{subprotocol}"))
    ws_url = gateway_url.replace("http", "ws") + "/graphql"
    trades = await asyncio.wait_for(_first_update(ws_url, subprotocol, trader, live_control), timeout=30)
    assert trades == [{"id": 0, "isOpen": True, "isLong": False, "collateralAmount": 3_000_000_000,
                       "venue": "NIBIRU", "market": "ETH"}]
