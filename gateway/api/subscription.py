"""Subscriptions: Sai Keeper's perp four plus perpLiveTrades, for every venue, served by the stream hub.

Resolvers only validate their arguments and iterate the hub (gateway/streams): the venue is
decided and checked as the queries decide it, so BAD_USER_INPUT and SOURCE_NOT_CONFIGURED come
before anything is subscribed, and so does NOT_FOUND for a market the venue's market list (a
cached read) does not hold; a trader is checked by the address rule of its venue; the hub owns the upstream streams (one per topic, whatever the
number of subscribers) and the events it carries are schema objects mapped by the same pure
mapping functions as the queries, handed over as objects (decoded only if they crossed Redis).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

import strawberry
from strawberry.types import Info

from gateway.api.context import GatewayContext
from gateway.api.inputs import PerpLiveTradesFilter, SubPerpTradeHistoryFilter, SubPerpTradesFilter
from gateway.errors import BadUserInput, NotFound
from gateway.model.source import BorrowingsQuery, Page
from gateway.model.types import PerpBorrowing, PerpBorrowingShortInfo, PerpTrade, PerpTradeHistoryItem
from gateway.model.venue import Venue
from gateway.sources.registry import normalize_address, resolve_venue, sai_default
from gateway.streams.feed import Feed, open_feed
from gateway.streams.hub import Hub
from gateway.streams.types import StreamEvent, Topic

GatewayInfo = Info[GatewayContext, None]
T = TypeVar("T")


def _hub(info: GatewayInfo) -> Hub:
    hub = info.context.hub
    if hub is None:  # a wiring bug, not a caller's mistake
        raise RuntimeError("no stream hub in the context")
    return hub


def _trades(event: StreamEvent) -> list[list[PerpTrade]]:
    trades: list[PerpTrade] = event.payload.get("trades", [])
    return [trades]


def _history(event: StreamEvent) -> list[list[PerpTradeHistoryItem]]:
    items: list[PerpTradeHistoryItem] = event.payload.get("items", [])
    return [items] if items else []


def _borrowing(event: StreamEvent) -> list[PerpBorrowing | None]:
    found: PerpBorrowing | None = event.payload.get("borrowing")
    return [found]


def _borrowings(event: StreamEvent) -> list[list[PerpBorrowingShortInfo]]:
    borrowings: list[PerpBorrowingShortInfo] = event.payload.get("borrowings", [])
    return [borrowings]


def _size_usd(item: PerpTradeHistoryItem) -> float | None:
    size = item.sizeDeltaUsd if item.sizeDeltaUsd is not None else item.trade.sizeUsd
    return abs(size) if size is not None else None


def live_filter(market: str | None, min_size_usd: float | None) -> Callable[[StreamEvent], Iterable[PerpTradeHistoryItem]]:
    """One value per trade of the event that passes the filter. A trade whose size the venue does
    not give never passes a `minSizeUsd` filter: the gateway does not guess."""
    wanted = market.upper() if market else None

    def pick(event: StreamEvent) -> list[PerpTradeHistoryItem]:
        out = []
        item: PerpTradeHistoryItem
        for item in event.payload.get("items", []):
            if wanted is not None and item.market.upper() != wanted:
                continue
            if min_size_usd is not None:
                size = _size_usd(item)
                if size is None or size < min_size_usd:
                    continue
            out.append(item)
        return out

    return pick


STATE_ROWS = 500  # every market of a venue (Sai Keeper has ~200 market/collateral pairs)


async def state_then(state: Callable[[], Awaitable[T]], feed: Feed[T]) -> AsyncIterator[T]:
    """A subscription to a state: the state now, then its changes. The feed is opened before the state
    is read, so a change in between is sent after it, never lost (at worst the same state twice)."""
    try:
        yield await state()
        async for item in feed:
            yield item
    finally:
        await feed.aclose()


async def _feed(info: GatewayInfo, topics: list[Topic], transform: Callable[[StreamEvent], Iterable[Any]],
                state: bool = False) -> Feed[Any]:
    return await open_feed(_hub(info), topics, transform, state)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="A trader's trades whenever they change.")
    async def perpTrades(self, info: GatewayInfo, where: SubPerpTradesFilter) -> AsyncIterator[list[PerpTrade]]:
        v = resolve_venue(where.trader, where.venue)
        info.context.source(v)
        return await _feed(info, [Topic("trades", v, normalize_address(where.trader, v))], _trades)

    @strawberry.subscription(description="A trader's new trade events.")
    async def perpTradeHistory(
        self, info: GatewayInfo, where: SubPerpTradeHistoryFilter
    ) -> AsyncIterator[list[PerpTradeHistoryItem]]:
        v = resolve_venue(where.trader, where.venue)
        info.context.source(v)
        return await _feed(info, [Topic("history", v, normalize_address(where.trader, v))], _history)

    @strawberry.subscription(description="One market: its current state at once, then on every change "
                             "(NIBIRU unless venue is given).")
    async def perpBorrowing(
        self, info: GatewayInfo, collateralId: int, marketId: int, venue: Venue | None = None
    ) -> AsyncIterator[PerpBorrowing | None]:
        v = venue or sai_default()
        # a market that does not exist opens no upstream stream: the venue's (cached) market list says
        source = info.context.source(v)
        known = await source.borrowings(
            BorrowingsQuery(market_id=marketId, collateral_id=collateralId, page=Page(limit=1)))
        if not any(m.marketId == marketId for m in known):
            raise NotFound(f"{v.value} has no market {marketId} with collateral {collateralId}")
        feed = await _feed(info, [Topic("borrowing", v, f"{collateralId}:{marketId}")], _borrowing, state=True)
        return state_then(lambda: source.borrowing(collateralId, marketId), feed)

    @strawberry.subscription(description="All markets of a venue: the current list at once, then on every "
                             "change (NIBIRU unless venue is given).")
    async def perpBorrowings(
        self, info: GatewayInfo, venue: Venue | None = None
    ) -> AsyncIterator[list[PerpBorrowingShortInfo]]:
        v = venue or sai_default()
        source = info.context.source(v)
        feed = await _feed(info, [Topic("borrowings", v)], _borrowings, state=True)
        return state_then(lambda: source.borrowings(BorrowingsQuery(page=Page(limit=STATE_ROWS))), feed)

    @strawberry.subscription(description="Every trade of a venue as it happens, liquidations included, one "
                             "item per trade. Without a venue: every configured venue. `market` is a base "
                             "symbol (SOL); `minSizeUsd` keeps trades whose USD size (sizeDeltaUsd, else the trade's sizeUsd) is at "
                             "least that, leaving out trades whose venue gives no size.")
    async def perpLiveTrades(
        self, info: GatewayInfo, where: PerpLiveTradesFilter | None = None
    ) -> AsyncIterator[PerpTradeHistoryItem]:
        venue = where.venue if where else None
        market = (where.market or "").strip() if where else ""
        min_size = where.minSizeUsd if where else None
        if where is not None and where.market is not None and not market:
            raise BadUserInput("market must be a base symbol such as SOL")
        if min_size is not None and min_size < 0:
            raise BadUserInput("minSizeUsd must not be negative")
        if venue is not None:
            info.context.source(venue)
            venues = [venue]
        else:
            venues = info.context.configured(list(Venue))
        topics = [Topic("live", v) for v in venues]
        return await _feed(info, topics, live_filter(market or None, min_size))
