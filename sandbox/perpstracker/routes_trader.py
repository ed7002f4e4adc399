"""One trader: profile across timeframes, recent trades, open positions, trade history; the account."""

from __future__ import annotations

import math

from sandbox.market import JUPITER, Market, TradeEvent
from sandbox.perpstracker import render, stats
from sandbox.perpstracker.errors import TIMEFRAMES
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import HISTORICAL, TRADER_PROFILES
from sandbox.perpstracker.params import int_param, wallet_value
from sandbox.perpstracker.rows import open_books, profile_stats, snapshot_stats
from sandbox.perpstracker.wire import DAY_MS, money

TRADE_ACTIONS = ("open", "increase", "reduce", "close", "liquidation")


def _wallet(ctx: Ctx) -> str:
    return wallet_value(ctx.path("wallet"))


def _trades_newest(m: Market, wallet: str) -> list[TradeEvent]:
    return [e for e in reversed(m.events) if e.venue == JUPITER and e.trader == wallet and e.action in TRADE_ACTIONS]


async def trader_profile(ctx: Ctx) -> Result:
    wallet = _wallet(ctx)
    m = ctx.market
    book = open_books(m).get(wallet)
    boards = {tf: stats.rolling(m, tf) for tf in TIMEFRAMES}
    data: dict[str, object] = {}
    for tf, board in boards.items():
        row = board.by_trader.get(wallet)
        data[tf] = profile_stats(row, book) if row else None
    snapshots: dict[str, object] = {}
    for kind in stats.KINDS:
        row = stats.fixed(m, kind, stats.periods(m, kind)[0]).by_trader.get(wallet)
        snapshots[kind] = snapshot_stats(row) if row else None
    data["snapshots"] = snapshots
    overall = boards["365d"].by_trader.get(wallet)
    return {
        "wallet": wallet,
        "tier": ctx.plan,
        "rank": overall.s.rank if overall else None,
        "limited_view": False,
        "data": data,
    }


async def trader_trades(ctx: Ctx) -> Result:
    wallet = _wallet(ctx)
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=100)
    trades = [render.trader_trade(e) for e in _trades_newest(ctx.market, wallet)[:limit]]
    return {"trades": trades, "wallet": wallet, "count": len(trades)}


async def trader_positions(ctx: Ctx) -> Result:
    wallet = _wallet(ctx)
    m = ctx.market
    mine = sorted((p for p in m.open_positions[JUPITER] if p.trader == wallet), key=lambda p: -p.open_ts)
    prices = [m.instrument(JUPITER, p.symbol).price for p in mine]
    rows = [render.position(p, price, wallet=False) for p, price in zip(mine, prices, strict=True)]
    return {
        "positions": rows,
        "totals": {
            "size_usd": money(sum(p.size_usd for p in mine)),
            "collateral_usd": money(sum(p.collateral_usd for p in mine)),
            "unrealized_pnl": money(sum(p.unrealized_pnl(price) for p, price in zip(mine, prices, strict=True))),
        },
        "wallet": wallet,
        "count": len(rows),
    }


async def trader_history(ctx: Ctx) -> Result:
    wallet = _wallet(ctx)
    start = int_param(ctx.request, "start", 0, lo=0)
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=100)
    events = _trades_newest(ctx.market, wallet)
    page = events[start:start + limit]
    closing = [e for e in page if e.action in render.CLOSING]
    wins = sum(1 for e in closing if e.realized_pnl_usd > 0)
    losses = sum(1 for e in closing if e.realized_pnl_usd < 0)
    total_pnl = sum(e.realized_pnl_usd for e in closing)
    fees = sum(e.fee_usd for e in page)
    return {
        "wallet": wallet,
        "trades": [render.history_trade(e) for e in page],
        "count": len(page),
        "totalCount": len(events),
        "hasMore": start + limit < len(events),
        "summary": {
            "totalPnl": money(total_pnl),
            "totalFees": money(fees),
            "netPnl": money(total_pnl - fees),
            "totalVolume": money(sum(e.size_delta_usd for e in page)),
            "wins": wins,
            "losses": losses,
            "winRate": round(100 * wins / (wins + losses), 2) if wins + losses else 0,
        },
    }


async def account(ctx: Ctx) -> Result:
    acct = ctx.account
    days = max(0, math.ceil((acct.expires_ms - ctx.market.now_ms) / DAY_MS))
    return {
        "subscription": {"plan": acct.plan, "status": "active", "expiresAt": acct.expires_ms,
                         "daysRemaining": days},
        "watchlist": {"count": len(acct.watchlist), "limit": acct.watchlist_limit},
    }


PREFIX = "/api/perpetuals"
SPECS = [
    Spec("GET", f"{PREFIX}/trader/{{wallet}}/trades", TRADER_PROFILES, trader_trades),
    Spec("GET", f"{PREFIX}/trader/{{wallet}}/positions", TRADER_PROFILES, trader_positions),
    Spec("GET", f"{PREFIX}/trader/{{wallet}}/history", HISTORICAL, trader_history),
    Spec("GET", f"{PREFIX}/trader/{{wallet}}", TRADER_PROFILES, trader_profile),
    Spec("GET", f"{PREFIX}/account", TRADER_PROFILES, account),
]
