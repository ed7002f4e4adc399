"""Never silent: a bridge that keeps failing ends its subscribers with a coded error, or polls.

The hub's `fail_after` is short here; the upstream is made to fail through the sandbox's faults
(`down`: sockets closed and refused; `error`: every HTTP call answers 500), with the gateway's own
retries off so each failure is seen at once.
"""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from gateway.app import create_app
from gateway.errors import GatewayError
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.sources.perpstracker.streams import JupiterTraderBridge
from gateway.streams.types import Topic
from sandbox import addresses
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.ws_helpers import connect, recv_json, send_json
from tests.configure import configure
from tests.servers import serve
from tests.streams.bridging import WAIT, bridge_settings, eventually, inject, open_sources, running, wallet
from tests.streams.owed import hub_for

J, N = Venue.JUPITER, Venue.NIBIRU


async def first_error(hub_topic: Topic, hub: object) -> GatewayError:
    """The error a new subscriber of the topic meets: refused at `open`, or raised by its next read."""
    from gateway.streams.hub import Hub

    assert isinstance(hub, Hub)
    try:
        async with hub.subscribe(hub_topic) as sub:
            await asyncio.wait_for(sub.__anext__(), WAIT)
    except GatewayError as exc:
        return exc
    raise AssertionError("the subscription ended without an error")


async def test_sai_keeper_down_for_good_ends_the_subscription_with_a_coded_error(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
    topic = Topic("history", N, wallet(N, "failing"))
    async with hub_for(bridge_settings(live_sandbox_url), fail_after=1.0) as hub:
        error = await first_error(topic, hub)
        state = hub.stats()["topics"][topic.name]
    assert (error.code, getattr(error, "source", None)) == ("UPSTREAM_UNAVAILABLE", "nibiru")
    assert state["state"] == "failed" and state["last_error"]["source"] == "nibiru"


async def test_jupiter_lookups_failing_fall_back_to_polling_then_end_with_a_coded_error(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    await live_control.post("/faults", json={"upstream": "perpstracker", "mode": "error", "status": 500})
    settings = bridge_settings(live_sandbox_url, upstream_retries=0)
    topic = Topic("trades", J, wallet(J, "failing"))
    async with hub_for(settings, fail_after=1.0) as hub:
        error = await first_error(topic, hub)
        state = hub.stats()["topics"][topic.name]
    # 500s, then the circuit they opened: either way a coded error naming the upstream
    assert error.code in ("UPSTREAM_ERROR", "UPSTREAM_UNAVAILABLE") and getattr(error, "source", None) == "perpstracker"
    assert state["state"] == "failed" and state["last_error"]["source"] == "perpstracker"


async def test_a_jupiter_wallet_whose_watchlist_lookup_keeps_failing_is_polled(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    """Enrolment reads the watchlist; that lookup failing must not leave the wallet in silent
    retries: the bridge polls the wallet, the error on record, and recovers with the upstream."""
    settings = bridge_settings(live_sandbox_url, upstream_retries=0, breaker_cooldown=0.2)
    trader = wallet(J, "no-lookup")
    await live_control.post("/faults", json={"upstream": "perpstracker", "mode": "error", "status": 500})
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", J,
                                                                                   trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "polling", "the bridge gave up on enrolment and polls")
        assert bridge.status.last_error is not None and bridge.status.last_error.code in (
            "UPSTREAM_ERROR", "UPSTREAM_UNAVAILABLE")
        await live_control.delete("/faults")
        await eventually(lambda: bridge.status.state == "polling", "the fallback polls")
        signature = str((await inject(live_control, venue="JUPITER", trader=trader, symbol="SOL",
                                      action="open"))[-1]["tx"])
        assert (await run.next()).id == signature


@pytest.mark.parametrize("protocol", ["graphql-transport-ws"])
async def test_a_graphql_subscriber_gets_an_error_with_code_and_source(
    live_sandbox_url: str, live_control: httpx.AsyncClient, protocol: str
) -> None:
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
    settings = configure(Settings(sandbox="off").with_sandbox(live_sandbox_url, SANDBOX_KEYS), stream_fail_after=1.0)
    trader = addresses.nibiru_address(random.Random())
    with serve(create_app(settings)) as base:
        ws = await connect(base.replace("http", "ws", 1) + "/graphql", protocol)
        try:
            await send_json(ws, {"type": "subscribe", "id": "1", "payload": {
                "query": "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id } }",
                "variables": {"t": trader}}})
            message = await recv_json(ws, within=WAIT)
        finally:
            await ws.close()
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:  # the topic lingers: still reported
            streams = (await http.get("/readyz")).json()["streams"]["topics"]
            metrics = (await http.get("/metrics")).text
    assert streams[f"history:NIBIRU:{trader}"]["state"] == "failed"
    assert streams[f"history:NIBIRU:{trader}"]["last_error"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert 'gateway_streams{state="failed"} 1' in metrics
    assert message["type"] == "error" and message["id"] == "1", message
    (error,) = message["payload"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE" and error["extensions"]["source"] == "nibiru"
