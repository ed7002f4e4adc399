"""Prices, market overview and the leaderboard family (rolling, fixed periods, derived rankings)."""

from __future__ import annotations

from sandbox.market import JUPITER
from sandbox.perpstracker import stats
from sandbox.perpstracker.errors import TIMEFRAMES, bad_timeframe, invalid
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import HISTORICAL, LEADERBOARD, LIVE_TRADES
from sandbox.perpstracker.params import MARKETS, int_param, pick
from sandbox.perpstracker.rows import fixed_row, leaderboard_row, open_books
from sandbox.perpstracker.wire import is_solana_address, iso_ms

OVERVIEW_TIMEFRAMES = {"1d": "24h", "7d": "7d", "30d": "30d", "365d": "365d"}
PERIOD_QUERY = {"daily": "date", "weekly": "week", "monthly": "month"}


async def prices(ctx: Ctx) -> Result:
    m = ctx.market
    out: dict[str, object] = {sym: m.instrument(JUPITER, sym).price for sym in MARKETS}
    out["timestamp"] = m.now_ms
    return out


async def market_overview(ctx: Ctx) -> Result:
    raw = ctx.request.query_params.get("timeframe") or "1d"
    if raw not in OVERVIEW_TIMEFRAMES:
        raise bad_timeframe(tuple(OVERVIEW_TIMEFRAMES))
    m = ctx.market
    since = m.now_ms - stats.WINDOW_MS[OVERVIEW_TIMEFRAMES[raw]]
    volume = {"long": 0.0, "short": 0.0}
    count = {"long": 0, "short": 0}
    tokens: dict[str, float] = {}
    pnl = lev_sum = 0.0
    lev_n = 0
    traders: set[str] = set()
    for e in stats.trades_between(m, since):
        key = "long" if e.is_long else "short"
        volume[key] += e.size_delta_usd
        count[key] += 1
        tokens[e.symbol] = tokens.get(e.symbol, 0.0) + e.size_delta_usd
        pnl += e.realized_pnl_usd
        traders.add(e.trader)
        if e.action in ("open", "increase"):
            lev_sum += e.leverage
            lev_n += 1
    total = volume["long"] + volume["short"]
    long_ratio = round(100 * volume["long"] / total, 1) if total else 50.0
    indicator = "Bullish" if long_ratio >= 55 else "Bearish" if long_ratio <= 45 else "Neutral"
    hour_ago = m.now_ms - 3_600_000
    return {
        "tier": ctx.plan,
        "updatedAt": iso_ms(m.now_ms),
        "market": {
            "total_volume_24h": round(total, 2),
            "total_pnl_24h": round(pnl, 2),
            "total_trades_24h": count["long"] + count["short"],
            "active_traders_24h": len(traders),
            "avg_leverage": round(lev_sum / lev_n, 2) if lev_n else 0,
            "sentiment": {
                "indicator": indicator,
                "long_ratio": long_ratio,
                "short_ratio": round(100 - long_ratio, 1),
                "long_volume": round(volume["long"], 2),
                "short_volume": round(volume["short"], 2),
                "long_trades": count["long"],
                "short_trades": count["short"],
            },
            "top_tokens": [
                {"token": stats.TOKENS[sym], "volume": round(v, 2), "percentage": round(100 * v / total, 2)}
                for sym, v in sorted(tokens.items(), key=lambda kv: -kv[1])
            ],
            "preview": {f"traders_in_{tf}": len(stats.rolling(m, tf).rows) for tf in TIMEFRAMES},
            "public_trade_count": sum(1 for _ in stats.trades_between(m, 0)),
            "trades_last_hour": sum(1 for _ in stats.trades_between(m, hour_ago)),
            "traders_active_now": len({p.trader for p in m.open_positions[JUPITER]}),
        },
    }


async def leaderboard_periods(ctx: Ctx) -> Result:
    return {"success": True, "periods": {k: stats.periods(ctx.market, k) for k in stats.KINDS}}


async def leaderboard_fixed(ctx: Ctx) -> Result:
    kind = ctx.path("periodType")
    if kind not in stats.KINDS:
        raise invalid("periodType", "periodType must be one of: daily, weekly, monthly")
    m = ctx.market
    qname = PERIOD_QUERY[kind]
    label = ctx.request.query_params.get(qname) or stats.periods(m, kind)[0]
    try:
        board = stats.fixed(m, kind, label)
    except ValueError:
        fmt = {"daily": "YYYY-MM-DD", "weekly": "YYYY-Www (e.g. 2025-W48)", "monthly": "YYYY-MM"}[kind]
        raise invalid(qname, f"{qname} must be formatted {fmt}") from None
    limit = int_param(ctx.request, "limit", 100, lo=1, hi=1000)
    return {
        "periodType": kind,
        "periodValue": label,
        "tier": ctx.plan,
        "count": len(board.rows),
        "stats": board.totals(),
        "data": [fixed_row(r) for r in board.rows[:limit]],
    }


async def leaderboard(ctx: Ctx) -> Result:
    tf = ctx.path("timeframe")
    if tf not in TIMEFRAMES:
        raise bad_timeframe()
    limit = int_param(ctx.request, "limit", 100, lo=1, hi=1000)
    offset = int_param(ctx.request, "offset", 0, lo=0)
    m = ctx.market
    board = stats.rolling(m, tf)
    books = open_books(m)
    return {
        "timeframe": tf,
        "tier": ctx.plan,
        "updatedAt": iso_ms(m.now_ms),
        "count": len(board.rows),
        "stats": board.totals(),
        "restrictions": None,
        "data": [leaderboard_row(r, books.get(r.s.trader)) for r in board.rows[offset:offset + limit]],
    }


async def compare(ctx: Ctx) -> Result:
    raw = ctx.request.query_params.get("wallets", "")
    wallets = list(dict.fromkeys(w.strip() for w in raw.split(",") if w.strip()))
    if not wallets:
        raise invalid("wallets", "wallets is required: a comma-separated list of wallet addresses")
    if len(wallets) > 5:
        raise invalid("wallets", "At most 5 wallets can be compared")
    for w in wallets:
        if not is_solana_address(w):
            raise invalid("wallets", f"{w} is not a Solana wallet address")
    tf = pick(ctx.request, "timeframe", TIMEFRAMES, "30d")
    board = stats.rolling(ctx.market, tf)
    out = []
    for w in wallets:
        row = board.by_trader.get(w)
        out.append({
            "wallet": w,
            "rank": row.s.rank if row else None,
            "total_pnl": row.s.pnl if row else 0,
            "win_rate": row.s.win_rate if row else 0,
            "roi": row.s.roi if row else 0,
            "total_trades": row.s.trades if row else 0,
        })
    return {"comparison": out, "timeframe": tf}


PREFIX = "/api/perpetuals"
SPECS = [
    Spec("GET", "/api/prices", LIVE_TRADES, prices),
    Spec("GET", f"{PREFIX}/market/overview", LEADERBOARD, market_overview),
    Spec("GET", f"{PREFIX}/leaderboard/periods", HISTORICAL, leaderboard_periods),
    Spec("GET", f"{PREFIX}/leaderboard/fixed/{{periodType}}", HISTORICAL, leaderboard_fixed),
    Spec("GET", f"{PREFIX}/leaderboard/{{timeframe}}", LEADERBOARD, leaderboard),
    Spec("GET", f"{PREFIX}/compare", LEADERBOARD, compare),
]
