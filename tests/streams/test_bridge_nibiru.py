"""NIBIRU bridges against the Sai Keeper simulator: events equal queries; a killed socket loses nothing."""

from __future__ import annotations

import httpx

from gateway.model.source import HistoryQuery, Page, PerpSource, TradesQuery
from gateway.model.types import PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.sources.nibiru.streams import NibiruBorrowingBridge, NibiruHistoryBridge, NibiruTradesBridge
from gateway.sources.registry import bridge_factory
from gateway.streams.changes import group_by_tx
from gateway.streams.types import StreamEvent, Topic
from tests.streams.bridging import (
    Collector,
    bridge_settings,
    eventually,
    inject,
    open_sources,
    running,
    wallet,
)

N = Venue.NIBIRU


def items_of(events: list[StreamEvent]) -> list[PerpTradeHistoryItem]:
    return [i for e in events for i in e.payload["items"]]


async def history(source: PerpSource, trader: str | None) -> dict[int, PerpTradeHistoryItem]:
    found = await source.trade_history(HistoryQuery(trader=trader, page=Page(limit=500, desc=True)))
    return {i.id: i for i in found}


async def test_history_event_equals_the_query(live_sandbox_url: str, live_control: httpx.AsyncClient) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(N, "hist")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", N, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, NibiruHistoryBridge)
        await eventually(lambda: bridge.watermark is not None, "the bridge subscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action="open", is_long=False,
                     size_usd=30_000, collateral_usd=3_000)
        event = await run.next()
        source = sources[N]
        assert source is not None
        queried = await history(source, trader)
        items = items_of([event])  # one item, or two for a limit order (created, then triggered)
        assert event.topic == f"history:NIBIRU:{trader}" and event.id == str(max(i.id for i in items))
        assert items == [queried[i.id] for i in items] and len(items) == len(queried)


async def test_trades_event_equals_the_query(live_sandbox_url: str, live_control: httpx.AsyncClient) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(N, "trades")
    async with open_sources(settings) as sources, running(settings, sources, Topic("trades", N, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, NibiruTradesBridge)
        await eventually(lambda: bridge.watermark is not None, "the bridge subscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="BTC", action="open", size_usd=50_000,
                     collateral_usd=5_000)
        event = await run.next()
        source = sources[N]
        assert source is not None
        (trade,) = [t for t in event.payload["trades"]]
        assert [trade] == await source.trades(TradesQuery(trader=trader))


async def test_upstream_socket_killed_mid_stream_loses_and_duplicates_nothing(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(N, "outage")
    async with open_sources(settings) as sources, running(settings, sources, Topic("history", N, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, NibiruHistoryBridge)
        await eventually(lambda: bridge.watermark is not None, "the bridge subscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action="open")
        before = await run.next()

        await live_control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
        await eventually(lambda: not bridge.live, "the bridge saw its socket close")
        during = [
            await inject(live_control, venue="NIBIRU", trader=trader, symbol="BTC", action="open"),
            await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action="close"),
            await inject(live_control, venue="NIBIRU", trader=trader, symbol="SOL", action="open"),
        ]
        assert all(during)
        await live_control.delete("/faults")
        await eventually(lambda: bridge.connections >= 2, "the bridge resubscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="BTC", action="close")  # after recovery

        source = sources[N]
        assert source is not None
        expected = sorted(await history(source, trader))
        assert len(expected) >= 5  # open, open, close, open, close (a limit open makes two items)
        got = [before, *await run.until(lambda evs: bool(evs) and evs[-1].id == str(expected[-1]))]
        ids = [i.id for i in items_of(got)]
        assert ids == expected  # every item once, in order: nothing lost in the outage, nothing repeated
        queried = await history(source, trader)
        groups = group_by_tx([queried[i] for i in expected])  # one event per transaction
        assert [e.id for e in got] == [str(max(i.id for i in g)) for g in groups]


async def test_live_polls_every_trader_newest_first_without_duplicates(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings = bridge_settings(live_sandbox_url)
    a, b = wallet(N, "live-a"), wallet(N, "live-b")
    async with open_sources(settings) as sources, running(settings, sources, Topic("live", N)) as run:
        bridge = run.bridge
        await eventually(lambda: getattr(bridge, "watermark", None) is not None, "the first poll")
        await inject(live_control, venue="NIBIRU", trader=a, symbol="ETH", action="open")
        await inject(live_control, venue="NIBIRU", trader=b, symbol="BTC", action="open", is_long=False)
        got = await run.until(lambda evs: {a, b} <= {i.trader for i in items_of(evs)})
        source = sources[N]
        assert source is not None
        queried = await history(source, None)
        mine = [i for i in items_of(got) if i.trader in (a, b)]
        assert list(dict.fromkeys(i.trader for i in mine)) == [a, b]  # oldest first
        assert all(i == queried[i.id] for i in mine)
        assert len({e.id for e in got}) == len(got)
        assert len({i.id for i in items_of(got)}) == len(items_of(got))  # each item once


async def test_borrowing_follows_the_market(live_sandbox_url: str, live_control: httpx.AsyncClient) -> None:
    """perpBorrowing sends after every step; the event is the market as `borrowing` returns it.
    (perpBorrowings sends an unchanged list after every step: the bridge sends only changes.)"""
    settings = bridge_settings(live_sandbox_url)
    async with open_sources(settings) as sources, running(settings, sources, Topic("borrowing", N, "1:2")) as run:
        await eventually(lambda: getattr(run.bridge, "connections", 0) >= 1, "subscribed")
        await live_control.post("/step", json={"seconds": 1})
        event = await run.next()
        source = sources[N]
        assert source is not None
        assert event.payload["borrowing"] == await source.borrowing(1, 2)


async def test_trades_changed_during_an_outage_arrive_after_it_once_each(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings, trader = bridge_settings(live_sandbox_url), wallet(N, "trades-outage")
    async with open_sources(settings) as sources, running(settings, sources, Topic("trades", N, trader)) as run:
        bridge = run.bridge
        assert isinstance(bridge, NibiruTradesBridge)
        await eventually(lambda: bridge.live, "the bridge subscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action="open")
        (eth,) = [t for t in (await run.next()).payload["trades"]]

        await live_control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
        await eventually(lambda: not bridge.live, "the bridge saw its socket close")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action="close")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="BTC", action="open")
        await live_control.delete("/faults")
        await eventually(lambda: bridge.connections >= 2, "the bridge resubscribed")
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="SOL", action="open")

        source = sources[N]
        assert source is not None
        now = {t.id: t for t in await source.trades(TradesQuery(trader=trader))}
        sol = max(now)
        got = await run.until(lambda evs: any(t.id == sol for e in evs for t in e.payload["trades"]))
        sent = [t for e in got for t in e.payload["trades"]]
        assert sorted(t.id for t in sent) == sorted(now) and eth.id in now  # ETH (closed), BTC, SOL: once each
        assert all(t == now[t.id] for t in sent) and not now[eth.id].isOpen


async def test_a_bridge_started_after_delivered_events_resumes_after_the_last_one(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    """A lease taken over (or a crashed bridge restarted): the hub hands the new bridge the last
    event id it delivered, and the bridge gap-fills from there instead of priming from "now"."""
    settings, trader = bridge_settings(live_sandbox_url), wallet(N, "resume")
    for action in ("open", "close"):
        await inject(live_control, venue="NIBIRU", trader=trader, symbol="ETH", action=action, size_usd=10_000,
                     collateral_usd=1_000)
    async with open_sources(settings) as sources:
        source = sources[N]
        assert source is not None
        ids = sorted(await history(source, trader))
        bridge = bridge_factory(settings, sources)(Topic("history", N, trader))
        assert isinstance(bridge, NibiruHistoryBridge)
        bridge.resume_after(str(ids[0]))  # subscribers already got the first event
        collector = Collector(bridge)
        try:
            events = await collector.until(lambda got: ids[-1] in {i.id for i in items_of(got)})
        finally:
            await collector.stop()
    assert sorted(i.id for i in items_of(events)) == ids[1:]


async def test_a_resumed_borrowing_bridge_sends_the_change_since_the_state_subscribers_got(
    live_sandbox_url: str,
) -> None:
    """Taking over from another replica, the bridge is handed the last event id delivered (a state
    that is no longer the market's): its first connection sends the market as it is now, as the
    next change, instead of taking it as a silent baseline as a fresh bridge does."""
    settings = bridge_settings(live_sandbox_url)
    async with open_sources(settings) as sources:
        source = sources[N]
        assert source is not None
        bridge = bridge_factory(settings, sources)(Topic("borrowing", N, "1:2"))
        assert isinstance(bridge, NibiruBorrowingBridge)
        bridge.resume_after("0123456789abcdef01234567.5")  # an older state of the market, the 5th change
        collector = Collector(bridge)
        try:
            event = await collector.next()
        finally:
            await collector.stop()
        assert event.id.endswith(".6")
        assert event.payload["borrowing"] == await source.borrowing(1, 2)
