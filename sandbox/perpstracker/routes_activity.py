"""Trade streams: live trades, whale trades, liquidations (newest first)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from sandbox.market import JUPITER, Market, TradeEvent
from sandbox.perpstracker import render, stats
from sandbox.perpstracker.errors import TIMEFRAMES
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import LIVE_TRADES
from sandbox.perpstracker.params import choice, int_param, market_param, opt_float, opt_int
from sandbox.perpstracker.wire import DAY_MS, js_number

TRADE_ACTIONS = ("open", "increase", "reduce", "close", "liquidation")


def newest(market: Market, keep: Callable[[TradeEvent], bool]) -> Iterator[TradeEvent]:
    for e in reversed(market.events):
        if e.venue == JUPITER and keep(e):
            yield e


def take(it: Iterator[TradeEvent], offset: int, limit: int) -> list[TradeEvent]:
    out: list[TradeEvent] = []
    for i, e in enumerate(it):
        if i >= offset + limit:
            break
        if i >= offset:
            out.append(e)
    return out


async def live_trades(ctx: Ctx) -> Result:
    limit = int_param(ctx.request, "limit", 100, lo=1, hi=500)
    offset = int_param(ctx.request, "offset", 0, lo=0)
    board_tf = choice(ctx.request, "leaderboard", TIMEFRAMES, None)
    rank = opt_int(ctx.request, "rank")
    if rank is not None and board_tf is None:
        board_tf = "24h"  # "top N ranked traders" needs a board; the docs' examples pair rank with 24h
    allowed: set[str] | None = None
    if board_tf is not None:
        rows = stats.rolling(ctx.market, board_tf).rows
        allowed = {r.s.trader for r in rows if rank is None or r.s.rank <= max(1, rank)}
    events = take(newest(ctx.market, lambda e: allowed is None or e.trader in allowed), offset, limit)
    return {
        "tier": ctx.plan,
        "count": len(events),
        "restrictions": None,
        "trades": [render.live_trade(e) for e in events],
    }


async def whale_trades(ctx: Ctx) -> Result:
    min_size = max(10_000.0, opt_float(ctx.request, "min_size") or 50_000.0)
    limit = int_param(ctx.request, "limit", 20, lo=1, hi=100)
    market = market_param(ctx.request)
    events = take(newest(ctx.market, lambda e: e.action in TRADE_ACTIONS and e.size_delta_usd >= min_size
                         and (market is None or e.symbol == market)), 0, limit)
    return {
        "tier": ctx.plan,
        "min_size": js_number(min_size),
        "market": market or "all",
        "count": len(events),
        "trades": [render.whale_trade(e) for e in events],
    }


async def liquidations(ctx: Ctx) -> Result:
    limit = int_param(ctx.request, "limit", 20, lo=1, hi=100)
    market = market_param(ctx.request)
    min_size = opt_float(ctx.request, "min_size")

    def keep(e: TradeEvent) -> bool:
        return (e.action == "liquidation" and (market is None or e.symbol == market)
                and (min_size is None or e.size_delta_usd >= min_size))

    m = ctx.market
    day = [e for e in stats.trades_between(m, m.now_ms - DAY_MS) if keep(e)]
    events = take(newest(m, keep), 0, limit)
    return {
        "tier": ctx.plan,
        "market": market or "all",
        "count": len(events),
        "stats_24h": {
            "liquidation_count": len(day),
            "total_volume": round(sum(e.size_delta_usd for e in day), 2),
            "total_losses": round(-sum(e.realized_pnl_usd for e in day), 2),
        },
        "liquidations": [render.liquidation(e) for e in events],
    }


PREFIX = "/api/perpetuals"
SPECS = [
    Spec("GET", f"{PREFIX}/live-trades", LIVE_TRADES, live_trades),
    Spec("GET", f"{PREFIX}/whale-trades", LIVE_TRADES, whale_trades),
    Spec("GET", f"{PREFIX}/liquidations", LIVE_TRADES, liquidations),
]
