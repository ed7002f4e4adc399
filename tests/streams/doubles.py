"""Test doubles for the stream contract: bridges driven by the test, sample events."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from typing import Any

from gateway.model.time import Time
from gateway.model.types import (
    Block,
    PerpBorrowingShortInfo,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
    PerpTradeType,
    Token,
)
from gateway.model.venue import Venue
from gateway.streams.types import Bridge, Publish, StreamEvent, Topic

TRADER = "J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK"


class ScriptedBridges:
    """A BridgeFactory whose bridges publish what the test tells them to, from any thread.

    Counts starts and cancellations per topic, so a test sees how many upstream streams ran.
    """

    def __init__(self) -> None:
        self.starts: Counter[str] = Counter()
        self.stops: Counter[str] = Counter()
        self.running: dict[str, tuple[asyncio.AbstractEventLoop, Publish]] = {}
        self.crash_next: set[str] = set()

    def __call__(self, topic: Topic) -> Bridge:
        return _Scripted(self, topic)

    async def emit(self, event: StreamEvent) -> None:
        """Publish through the running bridge of the event's topic (same loop)."""
        _, publish = self.running[event.topic]
        await publish(event)

    def emit_threadsafe(self, event: StreamEvent, timeout: float = 10.0) -> None:
        """Publish through the running bridge from another thread (a gateway served by uvicorn)."""
        loop, publish = self.running[event.topic]
        asyncio.run_coroutine_threadsafe(publish(event), loop).result(timeout)


@dataclasses.dataclass
class _Scripted:
    owner: ScriptedBridges
    topic: Topic

    async def run(self, publish: Publish) -> None:
        name = self.topic.name
        self.owner.starts[name] += 1
        if name in self.owner.crash_next:
            self.owner.crash_next.discard(name)
            raise RuntimeError("bridge crashed (test)")
        self.owner.running[name] = (asyncio.get_running_loop(), publish)
        try:
            await asyncio.Event().wait()
        finally:
            self.owner.running.pop(name, None)
            self.owner.stops[name] += 1


def _short_info(venue: Venue, market: str) -> PerpBorrowingShortInfo:
    usd = Token(symbol="USDC", name=None, logoUrl=None)
    return PerpBorrowingShortInfo(marketId=1, baseToken=Token(symbol=market, name=None, logoUrl=None),
                                  quoteToken=usd, collateralToken=usd, visible=True, venue=venue)


def history_item(seq: int, *, market: str = "SOL", size_usd: float | None = 1000.0,
                 venue: Venue = Venue.JUPITER, trader: str = TRADER,
                 change: PerpTradeChangeType = PerpTradeChangeType.position_opened) -> PerpTradeHistoryItem:
    when = Time("2025-10-06T17:41:22Z")
    trade = PerpTrade(
        id=seq, trader=trader, isOpen=True, isLong=True, tradeType=PerpTradeType.trade, leverage=2.0,
        collateralAmount=500_000_000, openCollateralAmount=500_000_000, openPrice=100.0, closePrice=None,
        sl=None, tp=None, perpBorrowing=_short_info(venue, market), openBlock=Block(block=None, block_ts=when),
        closeBlock=None, state=None, venue=venue, venueTradeId=f"key-{seq}", market=market, sizeUsd=size_usd,
        collateralUsd=500.0, openTime=when, closeTime=None)
    return PerpTradeHistoryItem(
        id=seq, tradeChangeType=change, block=Block(block=None, block_ts=when), trade=trade,
        realizedPnlCollateral=None, realizedPnlPct=None, txHash=f"tx{seq}", evmTxHash=None, venue=venue,
        trader=trader, market=market, price=100.0, sizeDeltaUsd=size_usd)


def history_event(topic: Topic, seq: int, **kw: Any) -> StreamEvent:
    return StreamEvent(topic.name, f"tx{seq}", {"items": [history_item(seq, **kw)]})
