"""Subscriptions: Sai Keeper's four, for every venue.

NIBIRU streams from Sai Keeper's own subscriptions. JUPITER and HYPERLIQUID have no stream for
these, so the same source queries are polled and only changes are sent: every payload is mapped
exactly as the query would map it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TypeVar

import strawberry
from strawberry.types import Info

from gateway.context import GatewayContext
from gateway.schema.inputs import SubPerpTradeHistoryFilter, SubPerpTradesFilter
from gateway.schema.types import PerpBorrowing, PerpBorrowingShortInfo, PerpTrade, PerpTradeHistoryItem
from gateway.sources.base import BorrowingsQuery, HistoryQuery, Page, TradesQuery
from gateway.sources.nibiru import mapping as nibiru_mapping
from gateway.sources.nibiru import stream as nibiru_stream
from gateway.venues import Venue, normalize_address, resolve_venue

GatewayInfo = Info[GatewayContext, None]
T = TypeVar("T")

POLL_SECONDS = 5.0


async def poll_changes(fetch: Callable[[], Awaitable[T]], interval: float = POLL_SECONDS) -> AsyncGenerator[T]:
    """Yield the first answer, then each answer that differs from the one before."""
    last: T | None = None
    while True:
        current = await fetch()
        if current != last:
            yield current
            last = current
        await asyncio.sleep(interval)


def _ws_url(info: GatewayInfo) -> str:
    settings = info.context.request.app.state.settings
    return str(settings.nibiru_ws_url)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="A trader's trades whenever they change.")
    async def perpTrades(self, info: GatewayInfo, where: SubPerpTradesFilter) -> AsyncGenerator[list[PerpTrade]]:
        v = resolve_venue(where.trader, where.venue)
        trader = normalize_address(where.trader, v)
        source = info.context.source(v)
        if v is Venue.NIBIRU:
            async for data in nibiru_stream.subscribe(_ws_url(info), nibiru_stream.SUB_TRADES,
                                                      {"where": {"trader": trader}}):
                yield [nibiru_mapping.map_trade(t) for t in data["perpTrades"]]
            return
        async for trades in poll_changes(lambda: source.trades(TradesQuery(trader=trader, page=Page(limit=1000)))):
            yield trades

    @strawberry.subscription(description="A trader's new trade events.")
    async def perpTradeHistory(
        self, info: GatewayInfo, where: SubPerpTradeHistoryFilter
    ) -> AsyncGenerator[list[PerpTradeHistoryItem]]:
        v = resolve_venue(where.trader, where.venue)
        trader = normalize_address(where.trader, v)
        source = info.context.source(v)
        if v is Venue.NIBIRU:
            async for data in nibiru_stream.subscribe(_ws_url(info), nibiru_stream.SUB_HISTORY,
                                                      {"where": {"trader": trader}}):
                yield [nibiru_mapping.map_history_item(h) for h in data["perpTradeHistory"]]
            return
        seen: set[tuple[Venue, int]] | None = None
        async for items in poll_changes(lambda: source.trade_history(HistoryQuery(trader=trader,
                                                                                  page=Page(limit=1000)))):
            fresh = [i for i in items if seen is None or (i.venue, i.id) not in seen]
            seen = (seen or set()) | {(i.venue, i.id) for i in items}
            if fresh:
                yield fresh

    @strawberry.subscription(description="One market, on every change (NIBIRU unless venue is given).")
    async def perpBorrowing(
        self, info: GatewayInfo, collateralId: int, marketId: int, venue: Venue | None = None
    ) -> AsyncGenerator[PerpBorrowing | None]:
        v = venue or Venue.NIBIRU
        source = info.context.source(v)
        if v is Venue.NIBIRU:
            async for data in nibiru_stream.subscribe(_ws_url(info), nibiru_stream.SUB_BORROWING,
                                                      {"collateralId": collateralId, "marketId": marketId}):
                found = data["perpBorrowing"]
                yield nibiru_mapping.map_borrowing(found) if found is not None else None
            return
        async for borrowing in poll_changes(lambda: source.borrowing(collateralId, marketId)):
            yield borrowing

    @strawberry.subscription(description="All markets of a venue, on every change (NIBIRU unless venue is given).")
    async def perpBorrowings(
        self, info: GatewayInfo, venue: Venue | None = None
    ) -> AsyncGenerator[list[PerpBorrowingShortInfo]]:
        v = venue or Venue.NIBIRU
        source = info.context.source(v)
        if v is Venue.NIBIRU:
            async for data in nibiru_stream.subscribe(_ws_url(info), nibiru_stream.SUB_BORROWINGS, {}):
                yield [nibiru_mapping.map_short_info(b) for b in data["perpBorrowings"]]
            return
        async for markets in poll_changes(lambda: source.borrowings(BorrowingsQuery(page=Page(limit=1000)))):
            yield markets
