"""Owed from the subscribe, in the upstream's order, once: bursts at subscribe time and in outages.

Each test subscribes through a real hub (production bridges against the sandbox) and injects a
burst the moment `open` returns, without waiting for any bridge state: every trade after the
acceptance must arrive, in the order the upstream made them, each once. The outage tests put the
upstream `down` (its sockets closed with 1011, new ones refused), trade during the outage, and
trade again after it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.model.venue import Venue
from gateway.streams.types import Topic
from tests.streams.bridging import bridge_settings, eventually, inject, wallet
from tests.streams.owed import hub_for, read_until, tx_order, txs_of

N, J, H = Venue.NIBIRU, Venue.JUPITER, Venue.HYPERLIQUID
UPSTREAM = {N: "nibiru", J: "perpstracker", H: "nansen"}
BURST: dict[Venue, list[dict[str, Any]]] = {
    N: [{"symbol": "ETH", "action": "open"}, {"symbol": "BTC", "action": "open"},
        {"symbol": "ETH", "action": "close"}, {"symbol": "SOL", "action": "open"}],
    # an open, its increase and its close: the order the old JUPITER gap fill could turn round
    J: [{"symbol": "SOL", "action": "open"}, {"symbol": "SOL", "action": "increase"},
        {"symbol": "SOL", "action": "close"}, {"symbol": "BTC", "action": "open"}],
    H: [{"symbol": "ETH", "action": "open"}, {"symbol": "ETH", "action": "close"},
        {"symbol": "BTC", "action": "open"}],
}


@pytest.fixture(autouse=True)
async def no_upstream_limits(live_control: httpx.AsyncClient) -> None:
    await live_control.post("/ratelimits", json={"enabled": False})


async def burst(control: httpx.AsyncClient, venue: Venue, trader: str, *, step: bool = False) -> list[str]:
    """Inject the venue's burst; `step`: one simulated second between trades (distinct times)."""
    injected = []
    for trade in BURST[venue]:
        if step:
            await control.post("/step", json={"seconds": 1})
        injected.append(await inject(control, venue=venue.value, trader=trader, **trade))
    return txs_of(injected)


@pytest.mark.parametrize("venue", [N, J, H], ids=lambda v: v.value)
async def test_a_burst_right_after_the_subscribe_arrives_whole_in_order_once(
    live_sandbox_url: str, live_control: httpx.AsyncClient, venue: Venue
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(venue, "owed-burst")
    async with hub_for(settings) as hub, hub.subscribe(Topic("history", venue, trader)) as sub:
        txs = await burst(live_control, venue, trader)  # at once: no waiting for the bridge
        got = await read_until(sub, txs)
    assert tx_order(got) == txs
    assert len({e.id for e in got}) == len(got)


@pytest.mark.parametrize("venue", [N, J, H], ids=lambda v: v.value)
async def test_a_burst_during_an_outage_arrives_after_it_in_order_once(
    live_sandbox_url: str, live_control: httpx.AsyncClient, venue: Venue
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(venue, "owed-outage")
    topic = Topic("history", venue, trader)
    async with hub_for(settings) as hub, hub.subscribe(topic) as sub:
        before = await burst(live_control, venue, trader)
        await read_until(sub, before)
        await live_control.post("/faults", json={"upstream": UPSTREAM[venue], "mode": "down"})
        await eventually(lambda: hub.stats()["topics"][topic.name]["state"] == "reconnecting"
                         or venue is not N, "the bridge saw the outage")
        during = await burst(live_control, venue, trader, step=venue is J)
        await live_control.delete("/faults")
        after = txs_of([await inject(live_control, venue=venue.value, trader=trader, symbol="BTC",
                                     action="close")])
        got = await read_until(sub, [*during, *after])
    assert tx_order(got) == [*during, *after]
    assert len({e.id for e in got}) == len(got)
