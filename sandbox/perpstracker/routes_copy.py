"""Copy-trading simulation: saved settings, watchlist positions with a simulated copy, backtests."""

from __future__ import annotations

from sandbox.market import JUPITER
from sandbox.perpstracker import render
from sandbox.perpstracker.errors import invalid
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import HISTORICAL, LIVE_TRADES, TRADER_PROFILES
from sandbox.perpstracker.params import int_param, json_body, wallet_value
from sandbox.perpstracker.store import SimSettings
from sandbox.perpstracker.wire import DAY_MS, js_number, money

COPY_MODES = ("fixed_size", "percentage", "match_trader")
# body field -> (settings attribute, lowest, highest)
NUMERIC_FIELDS = {
    "fixedSizeUsd": ("fixed_size_usd", 1, 100_000),
    "percentageOfTrader": ("percentage_of_trader", 1, 100),
    "maxLeverage": ("max_leverage", 1, 100),
}


def copy_size(settings: SimSettings, trader_size: float) -> float:
    if settings.copy_mode == "fixed_size":
        return settings.fixed_size_usd
    if settings.copy_mode == "percentage":
        return trader_size * settings.percentage_of_trader / 100
    return trader_size


async def get_settings(ctx: Ctx) -> Result:
    return {"success": True, "settings": js_number(ctx.account.settings.wire())}


async def save_settings(ctx: Ctx) -> Result:
    body = await json_body(ctx.request)
    settings = ctx.account.settings
    mode = body.get("copyMode")
    if mode is not None and mode not in COPY_MODES:
        raise invalid("copyMode", "copyMode must be one of: " + ", ".join(COPY_MODES))
    updates: dict[str, float] = {}
    for name, (attr, lo, hi) in NUMERIC_FIELDS.items():
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise invalid(name, f"{name} must be a number from {lo} to {hi}")
        updates[attr] = value
    if isinstance(mode, str):
        settings.copy_mode = mode
    for attr, value in updates.items():
        setattr(settings, attr, value)
    return {"success": True, "settings": js_number(settings.wire())}


async def positions_with_simulation(ctx: Ctx) -> Result:
    m = ctx.market
    acct = ctx.account
    settings = acct.settings
    mine = sorted((p for p in m.open_positions[JUPITER] if p.trader in acct.watchlist),
                  key=lambda p: (-p.size_usd, p.key))
    rows = []
    total_size = total_col = 0.0
    for p in mine:
        pnl = p.unrealized_pnl(m.instrument(JUPITER, p.symbol).price)
        size = copy_size(settings, p.size_usd)
        lev = min(p.leverage, settings.max_leverage)
        col = size / lev if lev else 0.0
        total_size += size
        total_col += col
        rows.append({
            "wallet": p.trader, "label": acct.watchlist[p.trader].label, "market": p.symbol,
            "side": render.side(p.is_long), "size_usd": p.size_usd, "collateral_usd": p.collateral_usd,
            "leverage": p.leverage, "entry_price": p.entry_price, "pnl": pnl,
            "pnl_pct": round(100 * pnl / p.collateral_usd, 2) if p.collateral_usd else 0,
            "simulation": {"your_size_usd": money(size), "your_collateral_usd": money(col),
                           "your_leverage": lev, "your_pnl": money(pnl * size / p.size_usd)},
        })
    return {
        "success": True,
        "simulation_settings": js_number(settings.wire()),
        "summary": {"total_positions": len(rows), "total_traders": len({p.trader for p in mine}),
                    "simulated_total_size": money(total_size), "simulated_total_collateral": money(total_col)},
        "positions": rows,
    }


async def backtest(ctx: Ctx) -> Result:
    wallet = wallet_value(ctx.request.query_params.get("wallet"), "wallet")
    days = int_param(ctx.request, "days", 7, lo=1, hi=30)
    m = ctx.market
    settings = ctx.account.settings
    since = m.now_ms - days * DAY_MS
    closed = sorted((p for p in m.positions if p.venue == JUPITER and p.trader == wallet and not p.is_open
                     and (p.close_ts or 0) >= since), key=lambda p: (p.close_ts or 0, p.key))
    trades = []
    simulated_total = 0.0
    for p in closed:
        size = copy_size(settings, p.size_usd)
        simulated_total += p.realized_pnl_usd * size / p.size_usd
        trades.append({
            "market": p.symbol, "side": render.side(p.is_long), "entry_time": p.open_ts,
            "exit_time": p.close_ts, "trader_size_usd": p.size_usd, "trader_pnl": money(p.realized_pnl_usd),
            "simulated_size_usd": money(size), "simulated_pnl": money(p.realized_pnl_usd * size / p.size_usd),
        })
    wins = sum(1 for p in closed if p.realized_pnl_usd > 0)
    return {
        "success": True,
        "wallet": wallet,
        "days": days,
        "simulation_settings": js_number(settings.wire()),
        "summary": {
            "total_trades": len(trades),
            "winning_trades": wins,
            "losing_trades": sum(1 for p in closed if p.realized_pnl_usd < 0),
            "trader_total_pnl": money(sum(p.realized_pnl_usd for p in closed)),
            "simulated_total_pnl": money(simulated_total),
            "win_rate": round(100 * wins / len(trades), 2) if trades else 0,
        },
        "trades": trades,
    }


W = "/api/perpetuals/watchlist"
SPECS = [
    Spec("GET", f"{W}/simulation/settings", TRADER_PROFILES, get_settings),
    Spec("POST", f"{W}/simulation/settings", TRADER_PROFILES, save_settings),
    Spec("GET", f"{W}/positions-with-simulation", LIVE_TRADES, positions_with_simulation),
    Spec("GET", f"{W}/backtest", HISTORICAL, backtest, elite_only=True),
]
