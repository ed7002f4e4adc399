"""NIBIRU: Sai Keeper's answers passed through, with the caller's paging pushed down unchanged."""

from __future__ import annotations

from typing import Any

from gateway.errors import BadUserInput
from gateway.schema.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeHistoryItem,
)
from gateway.sources.base import BorrowingsQuery, HistoryQuery, LeaderboardQuery, Page, TradesQuery
from gateway.sources.nibiru import mapping, queries
from gateway.sources.nibiru.client import SOURCE, SaiKeeperClient
from gateway.venues import Venue


def _page_vars(page: Page) -> dict[str, Any]:
    return {"limit": page.limit, "offset": page.offset, "order_by": page.order_by, "order_desc": page.desc}


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


class NibiruSource:
    venue = Venue.NIBIRU
    name = SOURCE

    def __init__(self, client: SaiKeeperClient) -> None:
        self.client = client

    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        where = _compact({"trader": q.trader, "isOpen": q.is_open, "perpMarketId": q.market_id,
                          "perpCollateralId": q.collateral_id})
        data = await self.client.execute(queries.TRADES, {"where": where, **_page_vars(q.page)})
        return [mapping.map_trade(t) for t in data["perp"]["trades"]]

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        data = await self.client.execute(queries.TRADE_ONE, {"id": trade_id, "trader": trader})
        found = data["perp"]["trade"]
        return mapping.map_trade(found) if found is not None else None

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        types = [t.value for t in q.change_types] if q.change_types else None
        where = _compact({"trader": q.trader, "tradeChangeType": types}) or None
        data = await self.client.execute(queries.TRADE_HISTORY, {"where": where, **_page_vars(q.page)})
        return [mapping.map_history_item(h) for h in data["perp"]["tradeHistory"]]

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        data = await self.client.execute(
            queries.BORROWING_ONE, {"collateralId": collateral_id, "marketId": market_id})
        found = data["perp"]["borrowing"]
        return mapping.map_borrowing(found) if found is not None else None

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        where = _compact({"marketId": q.market_id, "collateralId": q.collateral_id}) or None
        data = await self.client.execute(queries.BORROWINGS, {"where": where, **_page_vars(q.page)})
        return [mapping.map_short_info(b) for b in data["perp"]["borrowings"]]

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        raise BadUserInput("NIBIRU has no leaderboard: Sai Keeper does not publish one")

    async def aclose(self) -> None:
        await self.client.aclose()
