"""JUPITER: PerpsTracker's REST answers mapped to the `perp` schema, paged locally.

Which endpoint serves which root field (docs/mapping-jupiter.md has the fields):

    trades, trade        /perpetuals/trader/{wallet}/positions + /perpetuals/trader/{wallet}/history
    tradeHistory         the same two with a trader; /perpetuals/live-trades without one
    borrowing            /prices + the Trading API's markets list (PERPSTRACKER_MARKETS_PATH)
    borrowings           none: the three markets are a fixed table (gateway/sources/markets.py)
    leaderboard          /perpetuals/leaderboard/{24h|7d|30d|365d} or .../fixed/{daily|weekly|monthly}
    traderStats          /perpetuals/compare?wallets=…&timeframe=… (five wallets per call, batched)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from gateway.errors import (
    BadUserInput,
    GatewayError,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, TradesQuery
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTimeframe,
    PerpTrade,
    PerpTradeHistoryItem,
    PerpTraderStats,
)
from gateway.sources import markets
from gateway.sources.descriptor import Built
from gateway.sources.http import timeout_of
from gateway.sources.perpstracker import mapping, trader_stats
from gateway.sources.perpstracker.client import (
    LEADERBOARD_MAX,
    SOURCE,
    PerpsTrackerClient,
)
from gateway.sources.perpstracker.markets import MARKETS
from gateway.sources.perpstracker.settings import PerpsTrackerSettings
from gateway.sources.perpstracker.venue import VENUE

T = TypeVar("T")


def mapped(what: str, fn: Callable[[], T]) -> T:
    """Run a mapping; a payload that does not have the documented shape is the upstream's error."""
    try:
        return fn()
    except GatewayError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise UpstreamError(SOURCE, f"{SOURCE} sent a {what} payload the gateway cannot read") from exc


async def both(a: Awaitable[Any], b: Awaitable[Any]) -> tuple[Any, Any]:
    """Await two calls concurrently; the first failure is raised once both have finished."""
    results = await asyncio.gather(a, b, return_exceptions=True)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results[0], results[1]


class PerpsTrackerSource:
    venue = VENUE
    name = SOURCE

    def __init__(self, client: PerpsTrackerClient) -> None:
        self.client = client

    async def _book(self, trader: str) -> mapping.TraderBook:
        positions, history = await both(self.client.positions(trader), self.client.history(trader))
        return mapped("positions/history",
                      lambda: mapping.build_book(trader, positions["positions"], history))

    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        if q.collateral_id is not None and q.collateral_id != markets.USDC_ID:
            return []  # every JUPITER position is reported in USD, i.e. against USDC (id 1)
        found = (await self._book(q.trader)).trades
        if q.is_open is not None:
            found = [t for t in found if t.isOpen == q.is_open]
        if q.market_id is not None:
            found = [t for t in found if t.perpBorrowing.marketId == q.market_id]
        return q.page.apply(found)

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        return next((t for t in (await self._book(trader)).trades if t.id == trade_id), None)

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        items = await (self._trader_history(q.trader) if q.trader else self._live_history())
        if q.change_types:
            items = [i for i in items if i.tradeChangeType in q.change_types]
        if q.page.order_by == "trade_id":
            items = sorted(items, key=lambda i: i.trade.id)  # stable: by time within a trade
        return q.page.apply(items)

    async def _trader_history(self, trader: str) -> list[PerpTradeHistoryItem]:
        book = await self._book(trader)

        def build() -> list[PerpTradeHistoryItem]:
            out = []
            for row, trade in book.records:
                change = mapping.change_type(row)
                if change is not None:  # an action the schema has no change type for is left out
                    out.append(mapping.map_history_item(row, trade, change))
            return out

        return mapped("history", build)

    async def _live_history(self) -> list[PerpTradeHistoryItem]:
        body = await self.client.live_trades()

        def build() -> list[PerpTradeHistoryItem]:
            out = []
            for row in body["trades"]:
                change = mapping.live_change_type(row)
                if change is not None:
                    out.append(mapping.map_live_trade(row, change))
            # oldest first (`sequence`); the upstream lists the newest first
            return sorted(out, key=lambda i: mapping.iso_time(i.block.block_ts))

        return mapped("live-trades", build)

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        symbol = MARKETS.symbol_of(market_id)
        if collateral_id != markets.USDC_ID or symbol is None:
            return None
        return (await self._markets([symbol]))[0]

    async def _markets(self, symbols: list[str]) -> list[PerpBorrowing]:
        """The markets of `symbols`, from one `/prices` and one markets-list answer."""
        prices, custodies = await both(self.client.prices(), self._custodies())
        found = []
        for symbol in symbols:
            price = mapped("prices", lambda: mapping.price_of(prices, symbol))  # noqa: B023 - called at once
            if price is None:
                raise UpstreamError(SOURCE, f"{SOURCE} gave no price for {symbol}")
            custody = mapping.find_custody(custodies, symbol)
            found.append(mapped("markets", lambda: mapping.map_borrowing(symbol, price, custody)))  # noqa: B023
        return found

    async def _short_infos(self, symbols: list[str]) -> list[PerpBorrowingShortInfo]:
        """The rows with the figures they share with `borrowing` (price, open interest, max
        leverage), from the same answers. The markets themselves are a fixed table: when those
        answers fail the rows are still listed, with those figures null (a `borrowings` row's
        figures are optional; a market's existence does not depend on its price)."""
        try:
            return [markets.short_of(m) for m in await self._markets(symbols)]
        except (UpstreamError, UpstreamUnavailable, UpstreamTimeout, UpstreamRateLimited):
            return [MARKETS.short_info(s) for s in symbols]

    async def _custodies(self) -> list[Any]:
        """The Trading API's custodies; its path is not documented, so a 4xx/5xx there means
        "no open interest or max leverage", not a failed field."""
        try:
            return list((await self.client.markets())["custodies"])
        except UpstreamError:
            return []

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        if q.collateral_id is not None and q.collateral_id != markets.USDC_ID:
            return []
        symbols = [s for s in MARKETS.known if q.market_id is None or MARKETS.market_id(s) == q.market_id]
        infos = await self._short_infos(symbols) if symbols else []
        if q.page.order_by == "base_token_name":
            infos.sort(key=lambda i: i.baseToken.symbol or "")
        else:
            infos.sort(key=lambda i: i.marketId)
        return q.page.apply(infos)

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        if q.token is not None:
            raise BadUserInput("JUPITER leaderboards cannot be filtered by token")
        if q.days is not None:
            timeframe = mapping.rolling_timeframe(q.days)
            if q.limit == 0:
                return []
            body = await self.client.leaderboard(timeframe, min(q.limit, LEADERBOARD_MAX), q.offset)
            return mapped("leaderboard", lambda: [mapping.map_leaderboard_row(r) for r in body["data"]])
        if q.start is None or q.end is None:
            raise BadUserInput("A JUPITER leaderboard needs a timeframe or a from/to date range")
        period_type, period = mapping.fixed_period(q.start, q.end)
        if q.limit == 0:
            return []
        # The fixed leaderboard takes no offset: ask for the top offset + limit (at most the top
        # 1000, the rolling boards' documented maximum) and cut here.
        want = min(q.offset + q.limit, LEADERBOARD_MAX)
        if q.offset >= want:
            return []
        body = await self.client.fixed_leaderboard(period_type, period, want)
        rows = mapped("leaderboard", lambda: [mapping.map_fixed_row(r) for r in body["data"]])
        return rows[q.offset:q.offset + q.limit]

    async def trader_stats_many(
        self, keys: Sequence[trader_stats.StatsKey]
    ) -> list[PerpTraderStats | GatewayError]:
        """The per-operation DataLoader's batch function: all loads in as few `/compare` calls as
        five wallets per call allow, made concurrently; a failed call fails only its wallets."""
        calls = trader_stats.plan(keys)
        answers = await asyncio.gather(
            *(self.client.compare(wallets, trader_stats.TIMEFRAMES[tf]) for tf, wallets in calls),
            return_exceptions=True)
        found: dict[trader_stats.StatsKey, PerpTraderStats | GatewayError] = {}
        for (tf, wallets), answer in zip(calls, answers, strict=True):
            rows: dict[str, PerpTraderStats] | GatewayError
            if isinstance(answer, GatewayError):
                rows = answer
            elif isinstance(answer, BaseException):
                raise answer
            else:
                try:
                    rows = _compare_rows(answer, tf)
                except GatewayError as exc:
                    rows = exc
            for wallet in wallets:
                found[(wallet, tf)] = rows if isinstance(rows, GatewayError) else (
                    rows.get(wallet) or trader_stats.unranked(wallet, tf))
        return [found[key] for key in keys]

    async def aclose(self) -> None:
        await self.client.aclose()


def _compare_rows(body: dict[str, Any], timeframe: PerpTimeframe) -> dict[str, PerpTraderStats]:
    return mapped("compare", lambda: trader_stats.map_compare(body["comparison"], timeframe))


def build(section: PerpsTrackerSettings, built: Built) -> PerpsTrackerSource | None:
    """The JUPITER source, or None without PERPSTRACKER_API_KEY; the client sends through
    `built.transport`, the upstream policy chain."""
    if section.api_key is None:
        return None
    client = PerpsTrackerClient(section.api_url, section.api_key, markets_path=section.markets_path,
                                timeout=timeout_of(built.settings.upstream_timeout), transport=built.transport)
    return PerpsTrackerSource(client)
