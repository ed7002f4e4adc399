"""JUPITER bridges against the PerpsTracker simulator: enrolment, the alert socket, polling, live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.model.source import HistoryQuery, Page, PerpSource, TradesQuery
from gateway.model.types import PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.settings import Secret
from gateway.sources.perpstracker.alert_mapping import AlertFact
from gateway.sources.perpstracker.enrol import LABEL, Enroller
from gateway.sources.perpstracker.socket import AlertFeed
from gateway.sources.perpstracker.source import PerpsTrackerSource
from gateway.sources.perpstracker.streams import JupiterLiveBridge, JupiterTraderBridge
from gateway.streams.types import StreamEvent, Topic
from sandbox.state import PERPSTRACKER_KEY, PERPSTRACKER_PRO_KEY
from tests.streams.bridging import WAIT, bridge_settings, eventually, inject, open_sources, running, wallet

J = Venue.JUPITER


@pytest.fixture
async def pt(live_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The PerpsTracker simulator's REST API under the Elite key (to look at the watchlist)."""
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/perpstracker/api", timeout=30,
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as client:
        yield client


@pytest.fixture(autouse=True)
async def no_upstream_limits(live_control: httpx.AsyncClient) -> None:
    """The simulator's limits are tested elsewhere; the gateway's own limiter still applies here."""
    await live_control.post("/ratelimits", json={"enabled": False})


def items_of(events: list[StreamEvent]) -> list[PerpTradeHistoryItem]:
    return [i for e in events for i in e.payload["items"]]


def jupiter(sources: dict[Venue, PerpSource | None]) -> PerpsTrackerSource:
    source = sources[J]
    assert isinstance(source, PerpsTrackerSource)
    return source


async def open_trade(control: httpx.AsyncClient, trader: str, symbol: str = "SOL", **kw: object) -> str:
    """Inject an open; its transaction signature."""
    events = await inject(control, venue="JUPITER", trader=trader, symbol=symbol, action="open", **kw)
    return str(events[-1]["tx"])


async def test_enrolment_puts_the_wallet_on_the_watchlist_with_alerts_on(
    live_sandbox_url: str, pt: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "enrol")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "alerts", "the bridge listens to alerts")
    entries = {e["wallet_address"]: e for e in (await pt.get("/perpetuals/watchlist")).json()["watchlist"]}
    assert entries[trader]["alerts_enabled"] is True and entries[trader]["label"] == LABEL


async def test_history_event_from_an_alert_equals_the_query(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "alert-history")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "alerts", "the bridge listens to alerts")
        signature = await open_trade(live_control, trader, size_usd=20_000, collateral_usd=4_000)
        event = await run.next()
        assert event.id == signature and event.topic == f"history:JUPITER:{trader}"
        queried = await jupiter(sources).trade_history(HistoryQuery(trader=trader, page=Page(limit=1000)))
        assert items_of([event]) == [i for i in queried if i.txHash == signature]
        assert bridge.streams.resolver.fallbacks == 0


async def test_trades_event_from_an_alert_equals_the_query(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "alert-trades")
    async with open_sources(settings) as sources, running(settings, sources, Topic("trades", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "alerts", "the bridge listens to alerts")
        signature = await open_trade(live_control, trader, "ETH", is_long=False)
        event = await run.next()
        assert event.id == signature
        trades = [t for t in event.payload["trades"]]
        assert trades == await jupiter(sources).trades(TradesQuery(trader=trader))


async def test_alert_socket_authenticates_pings_reconnects_and_gap_fills(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "feed")
    async with open_sources(settings) as sources:
        client = jupiter(sources).client
        assert await Enroller(client).ensure(trader)
        feed = AlertFeed(settings.upstream("perpstracker").ws_url, Secret(PERPSTRACKER_KEY), client, ping_interval=0.05)
        async with feed.listen(trader) as alerts:
            assert await asyncio.wait_for(alerts.ready(), WAIT)
            await eventually(lambda: feed.stats.pongs >= 2, "two pings answered")
            first = await open_trade(live_control, trader)
            got: list[AlertFact] = list(await asyncio.wait_for(alerts.__anext__(), WAIT))

            await live_control.post("/faults", json={"upstream": "perpstracker", "mode": "down"})
            await eventually(lambda: not feed.connected, "the feed saw its socket close")
            missed = [await open_trade(live_control, trader, "BTC"),
                      str((await inject(live_control, venue="JUPITER", trader=trader, symbol="SOL",
                                        action="close"))[-1]["tx"])]
            await live_control.delete("/faults")
            await eventually(lambda: feed.stats.gap_fills >= 1, "reconnected and gap-filled")
            after = await open_trade(live_control, trader, "ETH")
            while after not in [f.signature for f in got]:
                got.extend(await asyncio.wait_for(alerts.__anext__(), WAIT))
        assert [f.signature for f in got] == [first, *missed, after]  # each once, in order
        assert feed.stats.connects >= 2 and feed.stats.auths >= 2 and feed.stats.gap_facts == 2


async def test_trader_bridge_gap_fills_alerts_missed_while_the_socket_was_down(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "bridge-outage")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "alerts", "the bridge listens to alerts")
        feed = bridge.streams.feed
        assert feed is not None
        await live_control.post("/faults", json={"upstream": "perpstracker", "mode": "down"})
        await eventually(lambda: not feed.connected, "the feed saw its socket close")
        missed = [await open_trade(live_control, trader, "SOL"), await open_trade(live_control, trader, "BTC")]
        await live_control.delete("/faults")
        after = await open_trade(live_control, trader, "ETH")
        got = await run.until(lambda evs: bool(evs) and evs[-1].id == after)
        assert [e.id for e in got] == [*missed, after]
        queried = await jupiter(sources).trade_history(HistoryQuery(trader=trader, page=Page(limit=1000)))
        assert sorted(i.id for i in items_of(got)) == sorted(i.id for i in queried)


async def test_a_trader_that_cannot_be_enrolled_is_polled(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url, perpstracker_enrol=False), wallet(J, "polled")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.poller is not None and bridge.poller.polls >= 1, "the first poll")
        signature = await open_trade(live_control, trader)
        event = await run.next()
        assert event.id == signature
        queried = await jupiter(sources).trade_history(HistoryQuery(trader=trader, page=Page(limit=1000)))
        assert items_of([event]) == [i for i in queried if i.txHash == signature]


async def test_a_plan_without_websocket_alerts_falls_back_to_polling(live_sandbox_url: str) -> None:
    """The Pro key is refused on the alert socket (auth_error): its traders are polled."""
    settings = bridge_settings(live_sandbox_url, perpstracker_api_key=Secret(PERPSTRACKER_PRO_KEY))
    trader = wallet(J, "pro")
    async with open_sources(settings) as sources, running(settings, sources, Topic("trades", J, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterTraderBridge)
        await eventually(lambda: bridge.mode == "polling", "the bridge polls")


async def test_live_event_equals_the_query(live_sandbox_url: str, live_control: httpx.AsyncClient) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(J, "live")
    async with open_sources(settings) as sources, running(settings, sources, Topic("live", J)) as run:
        bridge = run.bridge
        assert isinstance(bridge, JupiterLiveBridge)
        await eventually(lambda: bridge.items.primed, "the first poll")
        signature = await open_trade(live_control, trader, "BTC", size_usd=80_000, collateral_usd=8_000)
        got = await run.until(lambda evs: any(e.id == signature for e in evs))
        queried = await jupiter(sources).trade_history(HistoryQuery(trader=None, page=Page(limit=1000)))
        mine = [i for i in items_of(got) if i.txHash == signature]
        assert mine and mine == [i for i in queried if i.txHash == signature]
        assert len({e.id for e in got}) == len(got)


async def test_borrowing_is_polled_and_equals_the_query(live_sandbox_url: str) -> None:
    settings = bridge_settings(live_sandbox_url)
    async with open_sources(settings) as sources, running(settings, sources, Topic("borrowing", J, "1:1")) as run:
        event = await run.next()  # a polled snapshot sends its first answer
        assert event.payload["borrowing"] == await jupiter(sources).borrowing(1, 1)
