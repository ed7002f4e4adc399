"""NIBIRU: Sai Keeper's answers passed through, with the caller's paging pushed down unchanged.

The `*_many` methods are the per-operation DataLoaders' batch functions (gateway/api/loaders.py):
several `trades`, `trade` or `tradeHistory` loads become one upstream document with one alias
per load, each alias's answer mapped exactly as the single call maps it. A lone load sends the
single document, unchanged. If the upstream fails the document, every load in it gets the error.

Answers are checked against their wire type before they reach here (gateway/sources/nibiru/
validate.py, run by the policy chain); `readable` is the last line: a payload the mapping still
cannot read is the upstream's `UPSTREAM_ERROR`, never an internal error.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, ParamSpec, TypeVar

from gateway.errors import BadUserInput, GatewayError, UpstreamError
from gateway.model.forwarded import wrap
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, Page, TradesQuery
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeHistoryItem,
)
from gateway.sources.nibiru import forward, mapping, queries
from gateway.sources.nibiru.client import SOURCE, NibiruClient
from gateway.sources.nibiru.venue import VENUE

T = TypeVar("T")
P = ParamSpec("P")
# the gateway's leaderboard fields, for Sai's rows: the Sai field each is read from (None: null for NIBIRU)
LEADERBOARD_FROM_SAI: dict[str, str | None] = {
    "venue": None, "label": None, "pnl": "realizedPnlTotalUsd", "volume": "volumeTotalUsd", "roi": None,
    "winRate": None, "trades": None, "accountValue": None, "score": None, "avgLeverage": None,
    "liquidations": None, "openPositions": None, "unrealizedPnl": None,
}
MAX_BATCH = 25  # aliases per upstream document; more loads are split into several documents


def readable(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """A payload the mapping cannot read (a missing key, a wrong type) is Sai Keeper's error."""

    @functools.wraps(fn)
    async def read(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except GatewayError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise UpstreamError(SOURCE, "Sai Keeper sent an answer the gateway cannot read") from exc

    return read


def _page_vars(page: Page) -> dict[str, Any]:
    return {"limit": page.limit, "offset": page.offset, "order_by": page.order_by, "order_desc": page.desc}


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _trades_vars(q: TradesQuery) -> dict[str, Any]:
    where = _compact({"trader": q.trader, "isOpen": q.is_open, "perpMarketId": q.market_id,
                      "perpCollateralId": q.collateral_id})
    return {"where": where, **_page_vars(q.page)}


def _history_vars(q: HistoryQuery) -> dict[str, Any]:
    types = [t.value for t in q.change_types] if q.change_types else None
    return {"where": _compact({"trader": q.trader, "tradeChangeType": types}) or None, **_page_vars(q.page)}


def _map_trades(rows: list[dict[str, Any]]) -> list[PerpTrade]:
    return [mapping.map_trade(t) for t in rows]


def _map_one(row: dict[str, Any] | None) -> PerpTrade | None:
    return mapping.map_trade(row) if row is not None else None


def _map_history(rows: list[dict[str, Any]]) -> list[PerpTradeHistoryItem]:
    return [mapping.map_history_item(h) for h in rows]


class NibiruSource:
    venue = VENUE
    name = SOURCE

    def __init__(self, client: NibiruClient) -> None:
        self.client = client

    @readable
    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        data = await self.client.execute(queries.TRADES, _trades_vars(q))
        return _map_trades(data["perp"]["trades"])

    @readable
    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        data = await self.client.execute(queries.TRADE_ONE, {"id": trade_id, "trader": trader})
        return _map_one(data["perp"]["trade"])

    @readable
    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        data = await self.client.execute(queries.TRADE_HISTORY, _history_vars(q))
        return _map_history(data["perp"]["tradeHistory"])

    async def trades_many(self, qs: Sequence[TradesQuery]) -> list[list[PerpTrade] | GatewayError]:
        return await self._batch(queries.TRADES_FIELD, [_trades_vars(q) for q in qs], _map_trades,
                                 lambda i: self.trades(qs[i]))

    async def trade_many(self, keys: Sequence[tuple[str, int]]) -> list[PerpTrade | None | GatewayError]:
        return await self._batch(queries.TRADE_FIELD, [{"id": i, "trader": t} for t, i in keys], _map_one,
                                 lambda i: self.trade(*keys[i]))

    async def trade_history_many(
        self, qs: Sequence[HistoryQuery]
    ) -> list[list[PerpTradeHistoryItem] | GatewayError]:
        return await self._batch(queries.HISTORY_FIELD, [_history_vars(q) for q in qs], _map_history,
                                 lambda i: self.trade_history(qs[i]))

    async def _batch(
        self, field: queries.RootField, variables: list[dict[str, Any]], pick: Callable[[Any], T],
        single: Callable[[int], Awaitable[T]],
    ) -> list[T | GatewayError]:
        """One aliased document per MAX_BATCH loads, sent concurrently; answers in load order."""
        chunks = [range(i, min(i + MAX_BATCH, len(variables))) for i in range(0, len(variables), MAX_BATCH)]
        answers = await asyncio.gather(*(self._document(field, variables, c, pick, single) for c in chunks))
        return [answer for chunk in answers for answer in chunk]

    @readable
    async def _document(
        self, field: queries.RootField, variables: list[dict[str, Any]], indices: range,
        pick: Callable[[Any], T], single: Callable[[int], Awaitable[T]],
    ) -> list[T | GatewayError]:
        if len(indices) == 1:  # the single document, exactly as without batching
            try:
                return [await single(indices[0])]
            except GatewayError as exc:
                return [exc]
        try:
            data = await self.client.execute(queries.aliased(field, len(indices)),
                                             queries.aliased_variables([variables[i] for i in indices]))
        except GatewayError as exc:
            return [exc] * len(indices)
        perp = data["perp"]
        return [pick(perp[queries.alias(j)]) for j in range(len(indices))]

    @readable
    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        data = await self.client.execute(
            queries.BORROWING_ONE, {"collateralId": collateral_id, "marketId": market_id})
        found = data["perp"]["borrowing"]
        return mapping.map_borrowing(found) if found is not None else None

    @readable
    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        where = _compact({"marketId": q.market_id, "collateralId": q.collateral_id}) or None
        data = await self.client.execute(queries.BORROWINGS, {"where": where, **_page_vars(q.page)})
        return [mapping.map_short_info(b) for b in data["perp"]["borrowings"]]

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        raise BadUserInput("NIBIRU has no leaderboard: Sai Keeper does not publish one")

    async def native_leaderboard(self, info: Any) -> list[PerpLeaderboardEntry]:
        """`perp.leaderboard` without `where`: Sai Keeper's PnL board for the caller's selection; the
        gateway's own entry fields are filled from Sai's (docs/sai-keeper-compat.md)."""
        rows = await forward.forward_raw(info, "perp", rename=LEADERBOARD_FROM_SAI)
        for row in rows:
            row["venue"] = VENUE.value
            row["pnl"] = row.get("realizedPnlTotalUsd")
            row["volume"] = row.get("volumeTotalUsd")
        result: list[PerpLeaderboardEntry] = wrap(rows)
        return result

    async def forward_many(self, keys: Sequence[forward.Key]) -> list[Any]:
        """NIBIRU-only fields, forwarded to Sai Keeper in one document (forward.py)."""
        return await forward.forward_many(self.client.execute, keys)

    async def aclose(self) -> None:
        await self.client.aclose()
