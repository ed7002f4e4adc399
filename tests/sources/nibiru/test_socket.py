"""Sai Keeper's subscriptions share a few upstream sockets per process, each routed by its own id."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx

from gateway.model.venue import Venue
from gateway.sources.nibiru import pool
from gateway.sources.nibiru.keepalive import answered_in_free_time
from gateway.sources.nibiru.pool import SaiStream
from gateway.sources.nibiru.socket import SUB_HISTORY
from tests.streams.bridging import inject, wallet

TRADERS = 25


async def subscribed(stack: contextlib.AsyncExitStack, ws_url: str, trader: str) -> SaiStream:
    """An open history subscription, settled as a bridge settles it after its baseline (the pool
    admits only ADMIT_AT_ONCE unsettled subscriptions at a time)."""
    stream = await stack.enter_async_context(SaiStream.open(ws_url, SUB_HISTORY, {"where": {"trader": trader}}))
    stream.settled()
    return stream


async def test_many_subscriptions_share_one_socket_and_each_gets_its_own_events(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    ws_url = live_sandbox_url.replace("http", "ws", 1) + "/nibiru/query"
    traders = [wallet(Venue.NIBIRU, f"mux{i}") for i in range(TRADERS)]
    async with contextlib.AsyncExitStack() as stack:
        streams = [await subscribed(stack, ws_url, t) for t in traders]
        (shared,) = pool.sockets()
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
        assert shared.ws is not None
    assert shared.ws is None and pool.sockets() == []  # the last operation closed the socket


async def test_past_its_bound_a_socket_is_joined_by_another(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    """25 subscriptions with 10 allowed per socket: three sockets, none over its bound, and an
    event still reaches only its own operation, whichever socket carries it."""
    ws_url = live_sandbox_url.replace("http", "ws", 1) + "/nibiru/query"
    pool.pool(ws_url).max_operations = 10
    traders = [wallet(Venue.NIBIRU, f"bound{i}") for i in range(TRADERS)]
    async with contextlib.AsyncExitStack() as stack:
        streams = [await subscribed(stack, ws_url, t) for t in traders]
        shared = pool.sockets()
        assert [len(s.ops) for s in shared] == [10, 10, 5] and all(s.connects == 1 for s in shared)
        last = TRADERS - 1  # on the third socket
        # a query answered on that socket: Sai Keeper has set up every subscription sent before it
        await streams[last].query("query { perp { borrowings(limit: 1) { marketId } } }", {})
        await inject(live_control, venue="NIBIRU", trader=traders[last], symbol="ETH", action="open",
                     size_usd=20_000, collateral_usd=2_000)
        data = await asyncio.wait_for(anext(streams[last]), 15)
        assert {item["trade"]["trader"] for item in data["perpTradeHistory"]} == {traders[last]}
        assert streams[last].socket is shared[2]
        assert all(streams[i]._queue.empty() for i in range(last))  # noqa: SLF001
    assert pool.sockets() == []


async def test_a_pong_is_waited_for_in_time_the_loop_was_free() -> None:
    """A loop blocked for 5× the pong budget (thousands of client sockets to serve) does not
    count against the upstream: the pong that arrives right after is accepted. A pong that never
    comes is not."""
    loop = asyncio.get_running_loop()
    pong: asyncio.Future[None] = loop.create_future()
    loop.call_soon(time.sleep, 0.5)  # the loop is busy elsewhere: nothing else runs meanwhile
    loop.call_later(0.55, pong.set_result, None)
    assert await answered_in_free_time(pong, budget=0.1, tick=0.02)
    assert not await answered_in_free_time(loop.create_future(), budget=0.1, tick=0.02)
