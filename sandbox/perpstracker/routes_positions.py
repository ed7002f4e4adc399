"""Open-position views: all positions, the platform summary, recent activity, chart overlays."""

from __future__ import annotations

import math

from sandbox.market import JUPITER, Market, Position
from sandbox.perpstracker import render, stats
from sandbox.perpstracker.errors import TIMEFRAMES
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import LIVE_TRADES
from sandbox.perpstracker.params import choice, int_param, market_param, opt_float, pick
from sandbox.perpstracker.wire import money, ratio, short_wallet, unix_s

BOARD_LABEL = {"24h": "1D", "7d": "7D", "30d": "30D", "365d": "365D"}


def _price(m: Market, pos: Position) -> float:
    return m.instrument(JUPITER, pos.symbol).price


def _by_size(positions: list[Position]) -> list[Position]:
    return sorted(positions, key=lambda p: (-p.size_usd, p.key))


async def positions_all(ctx: Ctx) -> Result:
    q = ctx.request
    market = market_param(q)
    side = choice(q, "side", ("long", "short"), None)
    limit = int_param(q, "limit", 100, lo=1, hi=500)
    page = int_param(q, "page", 1, lo=1)
    min_size, min_pnl, max_pnl = opt_float(q, "minSize"), opt_float(q, "minPnl"), opt_float(q, "maxPnl")
    profit = choice(q, "profitFilter", ("profitable", "losing"), None)
    m = ctx.market
    rows = []
    for p in _by_size(m.open_positions[JUPITER]):
        pnl = p.unrealized_pnl(_price(m, p))
        if ((market and p.symbol != market) or (side and render.side(p.is_long) != side)
                or (min_size is not None and p.size_usd < min_size)
                or (min_pnl is not None and pnl < min_pnl) or (max_pnl is not None and pnl > max_pnl)
                or (profit == "profitable" and pnl <= 0) or (profit == "losing" and pnl >= 0)):
            continue
        rows.append((p, pnl))
    total = len(rows)
    longs = [(p, pnl) for p, pnl in rows if p.is_long]
    shorts = [(p, pnl) for p, pnl in rows if not p.is_long]
    breakdown = []
    for sym in sorted({p.symbol for p, _ in rows}, key=lambda s: -sum(1 for p, _ in rows if p.symbol == s)):
        mine = [(p, pnl) for p, pnl in rows if p.symbol == sym]
        breakdown.append({
            "market": sym, "count": len(mine),
            "total_size": money(sum(p.size_usd for p, _ in mine)),
            "total_pnl": money(sum(pnl for _, pnl in mine)),
            "long_pnl": money(sum(pnl for p, pnl in mine if p.is_long)),
            "short_pnl": money(sum(pnl for p, pnl in mine if not p.is_long)),
        })
    start = (page - 1) * limit
    return {
        "tier": ctx.plan,
        "positions": [render.position(p, _price(m, p)) for p, _ in rows[start:start + limit]],
        "pagination": {"page": page, "limit": limit, "total": total,
                       "totalPages": math.ceil(total / limit), "hasMore": start + limit < total},
        "stats": {
            "total_positions": total,
            "unique_traders": len({p.trader for p, _ in rows}),
            "total_size": money(sum(p.size_usd for p, _ in rows)),
            "total_collateral": money(sum(p.collateral_usd for p, _ in rows)),
            "total_unrealized_pnl": money(sum(pnl for _, pnl in rows)),
            "avg_leverage": round(sum(p.leverage for p, _ in rows) / total, 2) if total else 0,
            "long_count": len(longs),
            "short_count": len(shorts),
            "long_ratio": ratio(len(longs), total),
            "long_pnl": money(sum(pnl for _, pnl in longs)),
            "short_pnl": money(sum(pnl for _, pnl in shorts)),
            "winning_pnl": money(sum(pnl for _, pnl in rows if pnl > 0)),
            "losing_pnl": money(sum(pnl for _, pnl in rows if pnl < 0)),
        },
        "market_breakdown": breakdown,
        "last_synced": unix_s(m.now_ms),
        "filters_applied": {"market": market, "side": side, "minSize": min_size, "minPnl": min_pnl,
                            "maxPnl": max_pnl, "profitFilter": profit},
    }


async def positions_summary(ctx: Ctx) -> Result:
    m = ctx.market
    rows = [(p, p.unrealized_pnl(_price(m, p))) for p in _by_size(m.open_positions[JUPITER])]
    total = len(rows)
    long_value = sum(p.size_usd for p, _ in rows if p.is_long)
    short_value = sum(p.size_usd for p, _ in rows if not p.is_long)
    collateral = sum(p.collateral_usd for p, _ in rows)
    upnl = sum(pnl for _, pnl in rows)
    profitable = sum(1 for _, pnl in rows if pnl > 0)
    by_market: dict[str, object] = {}
    for sym in sorted({p.symbol for p, _ in rows}, key=lambda s: -sum(1 for p, _ in rows if p.symbol == s)):
        mine = [(p, pnl) for p, pnl in rows if p.symbol == sym]
        by_market[sym] = {
            "position_count": len(mine),
            "total_value": money(sum(p.size_usd for p, _ in mine)),
            "total_collateral": money(sum(p.collateral_usd for p, _ in mine)),
            "unrealized_pnl": money(sum(pnl for _, pnl in mine)),
            "avg_leverage": round(sum(p.leverage for p, _ in mine) / len(mine), 1),
            "long_count": sum(1 for p, _ in mine if p.is_long),
            "short_count": sum(1 for p, _ in mine if not p.is_long),
        }

    def brief(p: Position, pnl: float, collateral: bool) -> dict[str, object]:
        out: dict[str, object] = {"wallet": p.trader, "market": p.symbol, "side": render.side(p.is_long),
                                  "size_usd": p.size_usd}
        if collateral:
            out["collateral_usd"] = p.collateral_usd
        out["leverage"] = round(p.leverage, 1)
        if collateral:
            out["entry_price"] = p.entry_price
        out.update({"pnl_usd": pnl, "pnl_percent": render.pnl_percent(p, _price(m, p))})
        return out

    traders: dict[str, list[tuple[Position, float]]] = {}
    for p, pnl in rows:
        traders.setdefault(p.trader, []).append((p, pnl))
    top_traders = sorted(traders.items(), key=lambda kv: (-sum(p.size_usd for p, _ in kv[1]), kv[0]))[:5]
    by_pnl = sorted(rows, key=lambda r: (-r[1], r[0].key))
    return {
        "success": True,
        "summary": {
            "total_positions": total,
            "unique_traders": len(traders),
            "total_value": money(long_value + short_value),
            "total_collateral": money(collateral),
            "long_count": sum(1 for p, _ in rows if p.is_long),
            "short_count": sum(1 for p, _ in rows if not p.is_long),
            "long_value": money(long_value),
            "short_value": money(short_value),
            "long_short_ratio": round(long_value / short_value, 2) if short_value else None,
            "avg_leverage": round(sum(p.leverage for p, _ in rows) / total, 2) if total else 0,
            "unrealized_pnl": money(upnl),
            "pnl_percent": ratio(upnl, collateral),
            "long_pnl": money(sum(pnl for p, pnl in rows if p.is_long)),
            "short_pnl": money(sum(pnl for p, pnl in rows if not p.is_long)),
            "profitable_count": profitable,
            "losing_count": sum(1 for _, pnl in rows if pnl < 0),
            "win_rate": round(100 * profitable / total) if total else 0,
        },
        "by_market": by_market,
        "top_positions": [brief(p, pnl, True) for p, pnl in rows[:5]],
        "top_pnl": [brief(p, pnl, False) for p, pnl in by_pnl[:5]],
        "worst_pnl": [brief(p, pnl, False) for p, pnl in reversed(by_pnl[-5:])],
        "top_traders": [
            {"wallet": w, "position_count": len(ps), "total_value": money(sum(p.size_usd for p, _ in ps)),
             "total_pnl": money(sum(pnl for _, pnl in ps))}
            for w, ps in top_traders
        ],
        "last_synced": unix_s(m.now_ms),
    }


async def recent_activity(ctx: Ctx) -> Result:
    limit = int_param(ctx.request, "limit", 20, lo=1, hi=50)
    m = ctx.market
    opened = sorted(m.open_positions[JUPITER], key=lambda p: (-p.open_ts, p.key))[:limit]
    closed = sorted((p for p in m.positions if p.venue == JUPITER and not p.is_open),
                    key=lambda p: (-(p.close_ts or 0), p.key))[:limit]
    return {
        "tier": ctx.plan,
        "recently_opened": [
            {"wallet": p.trader, "position_key": p.key, "market": p.symbol, "side": render.side(p.is_long),
             "size_usd": p.size_usd, "collateral_usd": p.collateral_usd, "leverage": p.leverage,
             "entry_price": p.entry_price, "unrealized_pnl": p.unrealized_pnl(_price(m, p)),
             "open_time": unix_s(p.open_ts)}
            for p in opened
        ],
        "recently_closed": [
            {"wallet": p.trader, "market": p.symbol, "side": render.side(p.is_long), "size_usd": p.size_usd,
             "realized_pnl": money(p.realized_pnl_usd), "close_time": unix_s(p.close_ts or 0)}
            for p in closed
        ],
    }


async def chart_positions(ctx: Ctx) -> Result:
    market = market_param(ctx.request, "SOL") or "SOL"
    source = pick(ctx.request, "source", ("watchlist", "leaderboard"), "watchlist")
    max_rank = int_param(ctx.request, "maxRank", 50, lo=1, hi=1000)
    m = ctx.market
    watch = ctx.account.watchlist
    best: dict[str, tuple[int, str]] = {}
    if source == "leaderboard":
        for tf in TIMEFRAMES:  # shortest window first, so it wins ties
            for r in stats.rolling(m, tf).rows:
                if r.s.rank < best.get(r.s.trader, (max_rank + 1, ""))[0]:
                    best[r.s.trader] = (r.s.rank, BOARD_LABEL[tf])
    out = []
    for p in _by_size([p for p in m.open_positions[JUPITER] if p.symbol == market]):
        if source == "watchlist" and p.trader not in watch:
            continue
        if source == "leaderboard" and p.trader not in best:
            continue
        rank_board = best.get(p.trader)
        entry = watch.get(p.trader)
        out.append({
            "wallet": p.trader, "walletShort": short_wallet(p.trader), "side": render.side(p.is_long),
            "entryPrice": p.entry_price, "sizeUsd": p.size_usd, "collateralUsd": p.collateral_usd,
            "leverage": p.leverage, "pnl": p.unrealized_pnl(_price(m, p)), "openTime": unix_s(p.open_ts),
            "leaderboard": rank_board[1] if rank_board else None,
            "rank": rank_board[0] if rank_board else None,
            "label": entry.label if entry and source == "watchlist" else None,
        })
    return {"source": source, "market": market, "maxRank": max_rank if source == "leaderboard" else None,
            "count": len(out), "positions": out}


PREFIX = "/api/perpetuals"
SPECS = [
    Spec("GET", f"{PREFIX}/positions/all", LIVE_TRADES, positions_all),
    Spec("GET", f"{PREFIX}/positions/summary", LIVE_TRADES, positions_summary),
    Spec("GET", f"{PREFIX}/positions/recent-activity", LIVE_TRADES, recent_activity),
    Spec("GET", f"{PREFIX}/chart-positions", LIVE_TRADES, chart_positions),
]
