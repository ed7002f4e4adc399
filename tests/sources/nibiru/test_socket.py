"""Sai Keeper's subscriptions share one upstream socket per process, each routed by its own id."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from gateway.model.venue import Venue
from gateway.sources.nibiru import socket
from gateway.sources.nibiru.socket import SUB_HISTORY, SaiStream
from tests.streams.bridging import inject, wallet

TRADERS = 25


async def test_many_subscriptions_share_one_socket_and_each_gets_its_own_events(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    ws_url = live_sandbox_url.replace("http", "ws", 1) + "/nibiru/query"
    traders = [wallet(Venue.NIBIRU, f"mux{i}") for i in range(TRADERS)]
    async with contextlib.AsyncExitStack() as stack:
        streams = [await stack.enter_async_context(SaiStream.open(ws_url, SUB_HISTORY, {"where": {"trader": t}}))
                   for t in traders]
        (shared,) = socket.sockets()
        assert shared.connects == 1 and len(shared.ops) == TRADERS
        # a gap-fill query runs on the same socket, beside the subscriptions
        page = await streams[0].query("query { perp { borrowings(limit: 1) { marketId } } }", {})
        assert len(page["perp"]["borrowings"]) == 1 and shared.connects == 1
        chosen = [3, 17]
        for i in chosen:
            await inject(live_control, venue="NIBIRU", trader=traders[i], symbol="ETH", action="open",
                         size_usd=20_000, collateral_usd=2_000)
        for i in chosen:
            data = await asyncio.wait_for(anext(streams[i]), 15)
            assert {item["trade"]["trader"] for item in data["perpTradeHistory"]} == {traders[i]}
        for i in set(range(TRADERS)) - set(chosen):  # nobody else got anything
            assert streams[i]._queue.empty()  # noqa: SLF001 - what reached this operation
    assert socket.sockets()[0].ws is None  # the last operation closed the socket
