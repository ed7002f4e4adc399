"""The `perp` query namespace. Resolvers pick the venue and delegate to its source."""

from __future__ import annotations

import datetime
from typing import Any, Protocol, cast

import strawberry
from strawberry.types import Info

from gateway.api import leaderboard as leaderboards
from gateway.api import loaders
from gateway.api.context import GatewayContext
from gateway.api.inputs import (
    PerpBorrowingsFilter,
    PerpBorrowingsOrder,
    PerpLeaderboardFilter,
    PerpLeaderboardOrder,
    PerpTradeHistoryFilter,
    PerpTradeHistoryOrder,
    PerpTradesFilter,
    PerpTradesOrder,
)
from gateway.errors import BadUserInput
from gateway.model.source import BorrowingsQuery, HistoryQuery, Page, TradesQuery
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTimeframe,
    PerpTrade,
    PerpTradeHistoryItem,
    PerpTraderStats,
)
from gateway.model.venue import Venue
from gateway.sources.registry import normalize_address, resolve_venue, sai_default, upstream_of

GatewayInfo = Info[GatewayContext, None]


class NativeLeaderboardSource(Protocol):
    """The Sai-default upstream's own leaderboard, answered as that upstream answers the caller's selection."""

    async def native_leaderboard(self, info: Any) -> list[PerpLeaderboardEntry]: ...


def path_of(info: GatewayInfo) -> list[str | int]:
    return list(info.path.as_list())


@strawberry.type(description="Perpetual-futures data across NIBIRU, JUPITER and HYPERLIQUID.")
class PerpQuery:
    @strawberry.field(description="One trade of a trader by its id.")
    async def trade(self, info: GatewayInfo, id: int, trader: str, venue: Venue | None = None) -> PerpTrade | None:
        v = resolve_venue(trader, venue)
        return await loaders.load_trade(info.context.source(v), normalize_address(trader, v), id)

    @strawberry.field(description="A trader's trades, open and closed.")
    async def trades(
        self, info: GatewayInfo, where: PerpTradesFilter, limit: int | None = None, offset: int | None = None,
        order_by: PerpTradesOrder | None = None, order_desc: bool | None = None,
    ) -> list[PerpTrade]:
        v = resolve_venue(where.trader, where.venue)
        q = TradesQuery(trader=normalize_address(where.trader, v), is_open=where.isOpen,
                        market_id=where.perpMarketId, collateral_id=where.perpCollateralId,
                        page=Page.of(limit, offset, order_desc, order_by))
        return await loaders.load_trades(info.context.source(v), q)

    @strawberry.field(description="Trade events; without a trader, NIBIRU's events of every trader.")
    async def tradeHistory(
        self, info: GatewayInfo, where: PerpTradeHistoryFilter | None = None, limit: int | None = None,
        offset: int | None = None, order_by: PerpTradeHistoryOrder | None = None,
        order_desc: bool | None = None,
    ) -> list[PerpTradeHistoryItem]:
        trader = where.trader if where else None
        named = where.venue if where else None
        v = resolve_venue(trader, named) if trader else (named or sai_default())
        q = HistoryQuery(
            trader=normalize_address(trader, v) if trader else None,
            change_types=tuple(where.tradeChangeType) if where and where.tradeChangeType else None,
            page=Page.of(limit, offset, order_desc, order_by),
        )
        return await loaders.load_trade_history(info.context.source(v), q)

    @strawberry.field(description="One market of a venue (NIBIRU unless venue is given).")
    async def borrowing(
        self, info: GatewayInfo, collateralId: int, marketId: int, venue: Venue | None = None
    ) -> PerpBorrowing | None:
        return await info.context.source(venue or sai_default()).borrowing(collateralId, marketId)

    @strawberry.field(description="The markets of a venue (NIBIRU unless where.venue is given).")
    async def borrowings(
        self, info: GatewayInfo, where: PerpBorrowingsFilter | None = None, limit: int | None = None,
        offset: int | None = None, order_by: PerpBorrowingsOrder | None = None, order_desc: bool | None = None,
    ) -> list[PerpBorrowingShortInfo]:
        v = (where.venue if where else None) or sai_default()
        q = BorrowingsQuery(market_id=where.marketId if where else None,
                            collateral_id=where.collateralId if where else None,
                            page=Page.of(limit, offset, order_desc, order_by))
        return await info.context.source(v).borrowings(q)

    @strawberry.field(description="Top traders. Without `where` (Sai Keeper's signature): Sai Keeper's own "
                      "NIBIRU leaderboard, answered as Sai Keeper answers it. With `where`: by venue; without a "
                      "venue every configured venue with a leaderboard (NIBIRU, JUPITER, HYPERLIQUID; with a token, "
                      "those that can rank one market), merged by pnl. NIBIRU's rows are Sai Keeper's board, "
                      "which has no window: totals whatever the timeframe; a failed venue adds an error while the others "
                      "answer. Default order: rank for one venue, pnl (descending) across venues.")
    async def leaderboard(
        self, info: GatewayInfo, where: PerpLeaderboardFilter | None = None, limit: int | None = None,
        offset: int | None = None, order_by: PerpLeaderboardOrder | None = None,
        order_desc: bool | None = None,
    ) -> list[PerpLeaderboardEntry]:
        if where is None:
            if order_by is not None or order_desc is not None:
                raise BadUserInput("order_by and order_desc need `where`: Sai Keeper's leaderboard takes "
                                   "limit and offset only")
            Page.of(limit, offset)
            source = cast(NativeLeaderboardSource, info.context.source(sai_default()))
            return await source.native_leaderboard(info)
        today = datetime.datetime.now(datetime.UTC).date()
        return await leaderboards.leaderboard(info.context, where, limit, offset, order_by, order_desc,
                                              path_of(info), today)

    @strawberry.field(description="A trader's rank, pnl, roi, win rate and trade count over a rolling window, "
                      "as the venue ranks them. JUPITER only (PerpsTracker's trader comparison). A trader "
                      "the venue does not rank in that window has rank and figures null.")
    async def traderStats(
        self, info: GatewayInfo, trader: str, venue: Venue | None = None,
        timeframe: PerpTimeframe | None = PerpTimeframe.DAY,
    ) -> PerpTraderStats | None:
        served = ", ".join(x.value for x in Venue if upstream_of(x).trader_stats)
        if venue is not None and not upstream_of(venue).trader_stats:
            raise BadUserInput(f"traderStats is served by {served} only; {venue.value} has no per-trader statistics")
        v = resolve_venue(trader, venue)
        if not upstream_of(v).trader_stats:
            raise BadUserInput(f"traderStats is served by {served} only; {v.value} has no per-trader statistics")
        source = cast(loaders.TraderStatsSource, info.context.source(v))
        return await loaders.load_trader_stats(source, trader, timeframe or PerpTimeframe.DAY)


PERP_DESCRIPTION = "Perpetual-futures data (Sai Keeper's namespace, across venues)."
# the Query root is assembled in build.py: `perp`, then the roots only one upstream serves
