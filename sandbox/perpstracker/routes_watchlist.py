"""Watchlist management per API key (plan limit: Elite 100, Pro 3), alert toggles and alert polling."""

from __future__ import annotations

from sandbox.market import JUPITER
from sandbox.perpstracker import render, stats
from sandbox.perpstracker.errors import TIMEFRAMES, ApiError, invalid, not_found
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import LIVE_TRADES, TRADER_PROFILES
from sandbox.perpstracker.params import json_body, opt_int, pick, wallet_value
from sandbox.perpstracker.store import WatchEntry
from sandbox.perpstracker.wire import iso_s, money

ALERT_TRADES_MAX = 500


def _notes(value: object) -> str:
    if not isinstance(value, str) or len(value) > 500:
        raise invalid("notes", "notes must be a string of at most 500 characters")
    return value


def _label(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > 10 or not (value.isascii() and value.isalnum()):
        raise invalid("label", "label must be 1-10 alphanumeric characters")
    return value


def _entry(ctx: Ctx) -> WatchEntry:
    wallet = wallet_value(ctx.path("wallet"))
    entry = ctx.account.watchlist.get(wallet)
    if entry is None:
        raise not_found("Trader not in watchlist", f"{wallet} is not in your watchlist")
    return entry


async def watchlist(ctx: Ctx) -> Result:
    tf = pick(ctx.request, "timeframe", TIMEFRAMES, "365d")
    board = stats.rolling(ctx.market, tf)
    acct = ctx.account
    items = []
    for e in acct.watchlist.values():
        row = board.by_trader.get(e.wallet)
        items.append({
            "wallet_address": e.wallet, "notes": e.notes, "label": e.label, "added_at": iso_s(e.added_ms),
            "alerts_enabled": e.alerts,
            "stats": ({"rank": row.s.rank, "pnl": row.s.pnl, "volume": row.s.volume, "win_rate": row.s.win_rate,
                       "trades": row.s.trades, "score": row.score} if row else None),
        })
    return {"tier": ctx.plan, "count": len(items), "limit": acct.watchlist_limit, "watchlist": items}


async def add(ctx: Ctx) -> Result:
    body = await json_body(ctx.request)
    wallet = wallet_value(body.get("wallet_address"), "wallet_address")
    notes = _notes(body["notes"]) if body.get("notes") is not None else None
    label = _label(body["label"]) if body.get("label") is not None else None
    acct = ctx.account
    if wallet in acct.watchlist:
        raise ApiError(400, "Trader already in watchlist", "ALREADY_IN_WATCHLIST", f"{wallet} is already watched")
    if len(acct.watchlist) >= acct.watchlist_limit:
        raise ApiError(400, "Watchlist limit reached", "WATCHLIST_LIMIT_REACHED",
                       f"Your {acct.plan} plan allows up to {acct.watchlist_limit} traders")
    acct.watchlist[wallet] = WatchEntry(wallet, notes, label, ctx.market.now_ms)
    return {"success": True, "message": "Trader added to watchlist", "wallet_address": wallet, "label": label,
            "watchlist_count": len(acct.watchlist), "limit": acct.watchlist_limit}


async def remove(ctx: Ctx) -> Result:
    entry = _entry(ctx)
    del ctx.account.watchlist[entry.wallet]
    return {"success": True, "message": "Trader removed from watchlist", "wallet_address": entry.wallet}


async def set_notes(ctx: Ctx) -> Result:
    entry = _entry(ctx)
    entry.notes = _notes((await json_body(ctx.request)).get("notes"))
    return {"success": True, "message": "Notes updated successfully", "wallet_address": entry.wallet,
            "notes": entry.notes}


async def set_label(ctx: Ctx) -> Result:
    entry = _entry(ctx)
    entry.label = _label((await json_body(ctx.request)).get("label"))
    return {"success": True, "message": "Label updated successfully", "wallet_address": entry.wallet,
            "label": entry.label}


async def check(ctx: Ctx) -> Result:
    wallet = wallet_value(ctx.path("wallet"))
    e = ctx.account.watchlist.get(wallet)
    return {"in_watchlist": e is not None,
            "entry": {"wallet_address": e.wallet, "notes": e.notes, "added_at": iso_s(e.added_ms)} if e else None}


def _enabled(body: dict[str, object]) -> bool:
    value = body.get("enabled")
    if not isinstance(value, bool):
        raise invalid("enabled", "enabled must be true or false")
    return value


async def toggle_alerts(ctx: Ctx) -> Result:
    entry = _entry(ctx)
    entry.alerts = _enabled(await json_body(ctx.request))
    return {"success": True, "wallet_address": entry.wallet, "alerts_enabled": entry.alerts}


async def bulk_alerts(ctx: Ctx) -> Result:
    enabled = _enabled(await json_body(ctx.request))
    entries = ctx.account.watchlist.values()
    for e in entries:
        e.alerts = enabled
    return {"success": True, "alerts_enabled": enabled, "updated_count": len(entries)}


async def alert_trades(ctx: Ctx) -> Result:
    m = ctx.market
    since = opt_int(ctx.request, "since")
    since = m.now_ms - 60_000 if since is None else since
    acct = ctx.account
    events = [e for e in stats.trades_between(m, since) if acct.alerting(e.trader)]
    events = events[::-1][:ALERT_TRADES_MAX]
    return {"tier": ctx.plan, "count": len(events), "since": since,
            "trades": [render.alert_trade(e) for e in events]}


async def positions_summary(ctx: Ctx) -> Result:
    m = ctx.market
    watch = ctx.account.watchlist
    mine = sorted((p for p in m.open_positions[JUPITER] if p.trader in watch), key=lambda p: (-p.size_usd, p.key))
    pnls = [p.unrealized_pnl(m.instrument(JUPITER, p.symbol).price) for p in mine]
    long_value = sum(p.size_usd for p in mine if p.is_long)
    short_value = sum(p.size_usd for p in mine if not p.is_long)
    by_market: dict[str, dict[str, float]] = {}
    for p in mine:
        b = by_market.setdefault(p.symbol, {"long": 0, "short": 0, "value": 0.0})
        b["long" if p.is_long else "short"] += 1
        b["value"] = money(b["value"] + p.size_usd)
    return {
        "tier": ctx.plan,
        "summary": {
            "total_positions": len(mine),
            "traders_with_positions": len({p.trader for p in mine}),
            "traders_total": len(watch),
            "total_value": money(long_value + short_value),
            "long_count": sum(1 for p in mine if p.is_long),
            "short_count": sum(1 for p in mine if not p.is_long),
            "long_value": money(long_value),
            "short_value": money(short_value),
            "long_short_ratio": round(long_value / short_value, 2) if short_value else None,
            "avg_leverage": round(sum(p.leverage for p in mine) / len(mine), 2) if mine else 0,
            "total_pnl": money(sum(pnls)),
            "by_market": by_market,
        },
        "positions": [
            {"wallet": p.trader, "label": watch[p.trader].label, "market": p.symbol, "side": render.side(p.is_long),
             "size_usd": p.size_usd, "entry_price": p.entry_price, "leverage": p.leverage, "pnl": pnl}
            for p, pnl in zip(mine, pnls, strict=True)
        ],
    }


W = "/api/perpetuals/watchlist"
SPECS = [
    Spec("GET", W, TRADER_PROFILES, watchlist),
    Spec("POST", f"{W}/add", TRADER_PROFILES, add),
    Spec("POST", f"{W}/alerts/bulk", TRADER_PROFILES, bulk_alerts),
    Spec("GET", f"{W}/alerts/trades", LIVE_TRADES, alert_trades),
    Spec("GET", f"{W}/positions-summary", LIVE_TRADES, positions_summary),
    Spec("GET", f"{W}/check/{{wallet}}", TRADER_PROFILES, check),
    Spec("PATCH", f"{W}/{{wallet}}/notes", TRADER_PROFILES, set_notes),
    Spec("PATCH", f"{W}/{{wallet}}/label", TRADER_PROFILES, set_label),
    Spec("POST", f"{W}/{{wallet}}/alerts", TRADER_PROFILES, toggle_alerts),
    Spec("DELETE", f"{W}/{{wallet}}", TRADER_PROFILES, remove),
]
