"""Read endpoints of the Trading API. The docs give no paths for these: the simulator serves them
under /api/trading/... with assumed names (listed in docs/sandbox-perpstracker.md). Write and
transaction endpoints (increase/decrease/close, TP/SL, collateral, execute) are not simulated."""

from __future__ import annotations

from sandbox.market import JUPITER, Market, Position, TradeEvent
from sandbox.perpstracker import render
from sandbox.perpstracker.errors import invalid, not_found
from sandbox.perpstracker.http import Ctx, Result, Spec
from sandbox.perpstracker.limits import HISTORICAL, LIVE_TRADES
from sandbox.perpstracker.params import MARKETS, choice, int_param, wallet_value
from sandbox.perpstracker.wire import money, unix_s

# The docs' pool figures and custody target ratios; the rest follows the simulated open interest.
POOL_TVL, POOL_AUM = 150_000_000.0, 145_000_000.0
TARGET_RATIO = {"SOL": 0.26, "ETH": 0.11, "BTC": 0.11}
ACTIONS = ("Open", "Increase", "Decrease", "Close")


def _longs(m: Market, sym: str) -> list[Position]:
    return [p for p in m.open_positions[JUPITER] if p.symbol == sym and p.is_long]


def _custody(m: Market, sym: str) -> dict[str, object]:
    inst = m.instrument(JUPITER, sym)
    long_oi, short_oi = m.open_interest(JUPITER, sym)
    assets = TARGET_RATIO[sym] * POOL_AUM
    skew = (long_oi - short_oi) / max(long_oi + short_oi, 1.0)
    guaranteed = sum(p.size_usd - p.collateral_usd for p in _longs(m, sym))
    return {
        "symbol": sym, "mint": inst.mint, "maxLeverage": int(inst.max_leverage),
        "targetRatio": TARGET_RATIO[sym], "currentWeight": round(TARGET_RATIO[sym] * (1 + 0.1 * skew), 4),
        "utilizationPct": round(100 * long_oi / assets, 1),
        "guaranteedUsd": str(round(guaranteed)), "globalShortSizes": str(round(short_oi)),
    }


async def markets(ctx: Ctx) -> Result:
    return {"success": True, "custodies": [_custody(ctx.market, s) for s in MARKETS]}


async def market_stats(ctx: Ctx) -> Result:
    m = ctx.market
    mint = ctx.request.query_params.get("mint")
    insts = [m.instrument(JUPITER, s) for s in MARKETS]
    if mint:
        insts = [i for i in insts if i.mint == mint]
        if not insts:
            raise invalid("mint", "mint must be the mint of SOL, ETH or BTC")
    out = []
    for i in insts:
        long_oi, short_oi = m.open_interest(JUPITER, i.symbol)
        out.append({
            "symbol": i.symbol, "mint": i.mint, "price": i.price,
            "openInterestLongUsd": long_oi, "openInterestShortUsd": short_oi,
            "borrowRateLongHourly": i.borrow_long_per_hour, "borrowRateShortHourly": i.borrow_short_per_hour,
            "fundingRateHourly": i.funding_rate,
        })
    return {"success": True, "markets": out}


async def fee_info(ctx: Ctx) -> Result:
    return {"success": True, "feeBps": 100, "feePercent": 1,
            "description": "1% fee on position opens/closes and TP/SL executions"}


async def pool_info(ctx: Ctx) -> Result:
    m = ctx.market
    long_oi = sum(m.open_interest(JUPITER, s)[0] for s in MARKETS)
    return {"success": True, "poolInfo": {"tvl": POOL_TVL, "aum": POOL_AUM,
                                          "utilizationRate": round(long_oi / POOL_AUM, 4)}}


async def positions(ctx: Ctx) -> Result:
    wallet = wallet_value(ctx.request.query_params.get("wallet"))
    m = ctx.market
    out = []
    for p in sorted((p for p in m.open_positions[JUPITER] if p.trader == wallet), key=lambda p: -p.open_ts):
        price = m.instrument(JUPITER, p.symbol).price
        out.append({
            "positionPubkey": p.key, "market": p.symbol, "side": render.side(p.is_long),
            "size_usd": p.size_usd, "collateral_usd": p.collateral_usd, "leverage": p.leverage,
            "entry_price": p.entry_price, "mark_price": price, "liquidation_price": p.liquidation_price(),
            "unrealized_pnl": p.unrealized_pnl(price), "open_time": unix_s(p.open_ts),
            "last_updated": unix_s(p.last_updated_ts), "take_profit": p.tp, "stop_loss": p.sl,
        })
    return {"success": True, "positions": out}


def _history_row(ev: TradeEvent) -> dict[str, object]:
    closing = ev.action in render.CLOSING
    return {
        "txHash": ev.tx, "createdTime": unix_s(ev.ts_ms), "action": render.ACTION_WORD[ev.action],
        "side": "Long" if ev.is_long else "Short", "positionName": f"{ev.symbol}-PERP",
        "size": ev.size_delta_usd, "collateralUsdDelta": ev.collateral_delta_usd, "price": ev.price,
        "pnl": ev.realized_pnl_usd if closing else None, "fee": ev.fee_usd,
        "baseFee": 0 if ev.action == "liquidation" else ev.fee_usd, "borrowFee": 0, "priceImpactFee": 0,
        "orderType": ev.order_type,
    }


def _wallet_events(m: Market, wallet: str) -> list[TradeEvent]:
    return [e for e in reversed(m.events)
            if e.venue == JUPITER and e.trader == wallet and e.action in render.ACTION_WORD]


async def trade_history(ctx: Ctx) -> Result:
    q = ctx.request
    wallet = wallet_value(q.query_params.get("wallet"))
    start = int_param(q, "start", 0, lo=0)
    end = int_param(q, "end", 100, lo=start)
    action = choice(q, "action", ACTIONS, None)
    side = choice(q, "side", ("Long", "Short"), None)
    mint = q.query_params.get("mint")
    m = ctx.market
    symbol = next((s for s in MARKETS if m.instrument(JUPITER, s).mint == mint), None) if mint else None
    if mint and symbol is None:
        raise invalid("mint", "mint must be the mint of SOL, ETH or BTC")
    rows = [_history_row(e) for e in _wallet_events(m, wallet) if symbol is None or e.symbol == symbol]
    rows = [r for r in rows if (action is None or r["action"] == action) and (side is None or r["side"] == side)]
    page = rows[start:end]
    return {"success": True, "dataList": page, "count": len(page)}


async def my_history(ctx: Ctx) -> Result:
    wallet = wallet_value(ctx.request.query_params.get("wallet"))
    limit = int_param(ctx.request, "limit", 50, lo=1, hi=500)
    offset = int_param(ctx.request, "offset", 0, lo=0)
    page = [_history_row(e) for e in _wallet_events(ctx.market, wallet)[offset:offset + limit]]
    return {"success": True, "dataList": page, "count": len(page)}


async def expired_orders(ctx: Ctx) -> Result:
    wallet_value(ctx.request.query_params.get("wallet"))
    return {"success": True, "expiredOrders": []}  # the simulation has no resting limit orders


async def collateral_limits(ctx: Ctx) -> Result:
    key = ctx.request.query_params.get("positionPubkey")
    if not key:
        raise invalid("positionPubkey", "positionPubkey is required")
    p = ctx.market.by_key.get(key)
    if p is None or p.venue != JUPITER or not p.is_open:
        raise not_found("Position not found", f"No open position {key}")
    max_lev = min(ctx.market.instrument(JUPITER, p.symbol).max_leverage, 100.0)
    return {"success": True, "limits": {
        "minDepositUsd": 1.0, "maxDepositUsd": money(max(0.0, p.size_usd / 1.1 - p.collateral_usd)),
        "minWithdrawUsd": 1.0, "maxWithdrawUsd": money(max(0.0, p.collateral_usd - p.size_usd / max_lev)),
    }}


T = "/api/trading"
SPECS = [
    Spec("GET", f"{T}/markets", LIVE_TRADES, markets),
    Spec("GET", f"{T}/market-stats", LIVE_TRADES, market_stats),
    Spec("GET", f"{T}/fee-info", LIVE_TRADES, fee_info),
    Spec("GET", f"{T}/pool-info", LIVE_TRADES, pool_info),
    Spec("GET", f"{T}/positions", LIVE_TRADES, positions),
    Spec("GET", f"{T}/history", HISTORICAL, my_history),
    Spec("GET", f"{T}/trade-history", HISTORICAL, trade_history),
    Spec("GET", f"{T}/expired-orders", LIVE_TRADES, expired_orders),
    Spec("GET", f"{T}/collateral-limits", LIVE_TRADES, collateral_limits),
]
