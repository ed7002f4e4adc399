"""HYPERLIQUID: Nansen's profiler, leaderboard and screener answers as the gateway's schema.

Nansen cannot page or filter the way Sai Keeper does, so a trader's trades and history are built
from two calls (open positions, and the fills of a look-back window) and paged locally; the
leaderboards page upstream. The wall clock enters only here (`_today`, `_now`).
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from typing import TypeVar

from gateway.errors import BadUserInput, UpstreamError
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, PerpSource, TradesQuery
from gateway.model.types import (
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeHistoryItem,
)
from gateway.sources import markets
from gateway.sources.descriptor import Built
from gateway.sources.http import timeout_of
from gateway.sources.nansen import mapping, wire
from gateway.sources.nansen.client import SOURCE, NansenClient
from gateway.sources.nansen.settings import NansenSettings
from gateway.sources.nansen.venue import VENUE

A = TypeVar("A")
B = TypeVar("B")
R = TypeVar("R")

LOOKBACK_DAYS = 30  # trades and history cover fills from today - 30 days through today (UTC)
FILLS_PER_PAGE = 1000  # Nansen's largest page
MAX_FILL_PAGES = 10  # newest 10,000 fills; older lives then show as begun before the window
SCREENER_PER_PAGE = 1000
MAX_SCREENER_PAGES = 5
SCREENER_HOURS = 24
LEADERBOARD_PER_PAGE = 1000
MAX_LEADERBOARD_PAGES = 10


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The fills' look-back window, inclusive dates."""
    return today - datetime.timedelta(days=LOOKBACK_DAYS), today


def leaderboard_dates(q: LeaderboardQuery, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """A rolling `days` window is [today - days, today]; an explicit range is passed as it is."""
    if q.start is not None:
        return q.start, q.end or today
    return today - datetime.timedelta(days=q.days or 1), today


def page_plan(offset: int, limit: int) -> tuple[int, int, int]:
    """(per_page, first page, last page) of upstream pages covering ranks offset+1 .. offset+limit."""
    end = offset + limit
    per_page = end if end <= LEADERBOARD_PER_PAGE else min(limit, LEADERBOARD_PER_PAGE)
    return per_page, offset // per_page + 1, (end - 1) // per_page + 1


async def _both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Both results, concurrently; if a call failed, its error (the first one's, if both did)."""
    a, b = await asyncio.gather(first, second, return_exceptions=True)
    if isinstance(a, BaseException):
        raise a
    if isinstance(b, BaseException):
        raise b
    return a, b


async def _pages(fetch: Callable[[int], Awaitable[wire.Paged[R]]], first: int, last: int) -> list[R]:
    """Rows of pages first..last, stopping early at Nansen's last page."""
    rows: list[R] = []
    for page in range(first, last + 1):
        answer = await fetch(page)
        rows.extend(answer["data"])
        if answer["pagination"]["is_last_page"] or not answer["data"]:
            break
    return rows


def _malformed(exc: Exception) -> UpstreamError:
    return UpstreamError(SOURCE, f"{SOURCE} sent a payload the gateway cannot read ({type(exc).__name__})")


class NansenSource:
    venue = VENUE
    name = SOURCE

    def __init__(self, client: NansenClient) -> None:
        self.client = client

    # ---- trades and history ----------------------------------------------------------------

    async def _fills(self, trader: str, today: datetime.date) -> list[wire.Fill]:
        start, end = window(today)
        return await _pages(lambda page: self.client.perp_trades(trader, start, end, page, FILLS_PER_PAGE),
                            1, MAX_FILL_PAGES)

    async def _positions(self, trader: str) -> list[wire.Position]:
        answer = await self.client.perp_positions(trader)
        return [a["position"] for a in answer["data"].get("asset_positions") or []]

    async def _book(self, trader: str) -> tuple[list[PerpTrade], list[PerpTradeHistoryItem]]:
        try:
            positions, fills = await _both(self._positions(trader), self._fills(trader, _today()))
            return mapping.map_book(trader, positions, fills)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed(exc) from exc

    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        trades, _ = await self._book(q.trader)
        picked = [
            t for t in trades
            if (q.is_open is None or t.isOpen == q.is_open)
            and (q.market_id is None or t.perpBorrowing.marketId == q.market_id)
            and (q.collateral_id is None or q.collateral_id == markets.USDC_ID)
        ]
        return q.page.apply(picked)

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        trades, _ = await self._book(trader)
        return next((t for t in trades if t.id == trade_id), None)

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        if q.trader is None:
            raise BadUserInput("HYPERLIQUID trade history needs a trader: Nansen lists fills per address")
        _, history = await self._book(q.trader)
        if q.change_types:
            wanted = set(q.change_types)
            history = [h for h in history if h.tradeChangeType in wanted]
        if q.page.order_by == "trade_id":
            history = sorted(history, key=lambda h: h.trade.id)  # stable: time order within a trade
        return q.page.apply(history)

    # ---- markets ---------------------------------------------------------------------------

    async def _markets(self) -> list[PerpBorrowing]:
        until = _now()
        since = until - datetime.timedelta(hours=SCREENER_HOURS)
        try:
            rows = await _pages(
                lambda page: self.client.perp_screener(since, until, page, SCREENER_PER_PAGE), 1, MAX_SCREENER_PAGES)
            by_coin: dict[str, wire.ScreenerRow] = {}
            for row in rows:  # a row can repeat when the order shifts between pages
                by_coin.setdefault(row["token_symbol"], row)
            found = [mapping.map_borrowing(r) for r in by_coin.values()]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed(exc) from exc
        return sorted(found, key=lambda b: (b.marketId, b.baseToken.symbol))

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        if collateral_id != markets.USDC_ID:
            return None
        return next((b for b in await self._markets() if b.marketId == market_id), None)

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        if q.collateral_id is not None and q.collateral_id != markets.USDC_ID:
            return []
        found = [markets.short_of(b) for b in await self._markets() if q.market_id is None or b.marketId == q.market_id]
        if q.page.order_by == "base_token_name":
            found.sort(key=lambda s: s.baseToken.symbol or "")
        return q.page.apply(found)

    # ---- leaderboard -----------------------------------------------------------------------

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        if q.limit == 0:
            return []
        start, end = leaderboard_dates(q, _today())
        per_page, first, last = page_plan(q.offset, q.limit)
        if last - first + 1 > MAX_LEADERBOARD_PAGES:
            raise BadUserInput(f"HYPERLIQUID leaderboard reads at most {MAX_LEADERBOARD_PAGES * LEADERBOARD_PER_PAGE} "
                               "ranks at once: lower offset + limit")
        skip = q.offset - (first - 1) * per_page
        try:
            if q.token is None:
                rows = await _pages(lambda page: self.client.perp_leaderboard(start, end, page, per_page),
                                    first, last)
                return mapping.map_leaderboard(rows[skip:skip + q.limit], q.offset)
            token = q.token
            token_rows = await _pages(
                lambda page: self.client.token_leaderboard(token, start, end, page, per_page), first, last)
            return mapping.map_token_leaderboard(token_rows[skip:skip + q.limit], q.offset)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _malformed(exc) from exc

    async def aclose(self) -> None:
        await self.client.aclose()


def build(section: NansenSettings, built: Built) -> PerpSource | None:
    """The HYPERLIQUID source, or None without NANSEN_API_KEY; the client sends through
    `built.transport`, the upstream policy chain."""
    if section.api_key is None:
        return None
    return NansenSource(NansenClient(section.api_url, section.api_key, transport=built.transport,
                                     timeout=timeout_of(built.settings.upstream_timeout)))
