"""Pure functions: market objects -> Sai Keeper's wire dicts (field names as in the schema).

Units, as the real keeper uses them: `*Amount`, `oi*` and `*Collateral` are micro-units of the
collateral token (6 decimals; both simulated collaterals are USD stablecoins, so 1 USD is
1_000_000); `*Pct` are ratios (0.01 is 1%); prices are plain USD floats.
"""

from __future__ import annotations

from typing import Any

from sandbox.market import Instrument, Position, TradeEvent
from sandbox.nibiru.scalars import rfc3339nano

__all__ = ["rfc3339nano"]

Wire = dict[str, Any]

MICRO = 1_000_000
DAY_MS = 86_400_000
LOGO_BASE = "https://assets.nibiru.fi/tokens"

# Sai's collateral tokens on the simulated chain (ids as in the market simulation).
COLLATERALS: dict[int, tuple[str, str]] = {1: ("USDC", "USD Coin"), 2: ("USDT", "Tether USD")}

# History change types of a market event; an `open` depends on the trade type (see history.py).
CLOSE_TYPES = {"user": "position_closed_user", "tp": "position_closed_tp", "sl": "position_closed_sl"}
OPEN_TYPES = {
    "trade": ("position_opened",),
    "limit": ("limit_order_created", "order_triggered"),
    "stop": ("stop_order_created", "order_triggered"),
}
OPENING = frozenset(("position_opened", "order_triggered"))
REALIZING = frozenset(("position_closed_user", "position_closed_tp", "position_closed_sl", "position_liquidated"))


def micro(usd: float) -> int:
    return round(usd * MICRO)


def change_types(ev: TradeEvent, trade_type: str) -> tuple[str, ...]:
    """The history items one market event produces, in order (none for size changes, which the
    documented PerpTradeChangeType enum has no value for)."""
    if ev.action == "open":
        return OPEN_TYPES.get(trade_type, ("position_opened",))
    if ev.action == "close":
        return (CLOSE_TYPES.get(ev.reason, "position_closed_user"),)
    if ev.action == "liquidation":
        return ("position_liquidated",)
    if ev.action == "set_tp":
        return ("tp_updated",)
    if ev.action == "set_sl":
        return ("sl_updated",)
    return ()


def token_id(symbol: str, market_id: int | None = None) -> int:
    """Oracle token indexes: the collaterals are 1 and 2 (as on mainnet), base tokens 10 + market id."""
    for cid, (sym, _) in COLLATERALS.items():
        if sym == symbol:
            return cid
    return 0 if market_id is None else 10 + market_id


def token(symbol: str, name: str, logo: bool = True, market_id: int | None = None) -> Wire:
    return {"symbol": symbol, "name": name, "logoUrl": f"{LOGO_BASE}/{symbol.lower()}.svg" if logo else None,
            "id": token_id(symbol, market_id), "tradingViewSymbol": f"PYTH:{symbol}USD" if logo else None,
            "permissionGroup": 0, "description": f"{name} oracle feed", "type": "crypto"}


def base_token(inst: Instrument) -> Wire:
    return token(inst.symbol, inst.name or inst.symbol, market_id=inst.market_id)


def quote_token() -> Wire:
    return token("USD", "US Dollar", logo=False)


def collateral_token(collateral_id: int) -> Wire:
    symbol, name = COLLATERALS.get(collateral_id, (f"COL{collateral_id}", f"Collateral {collateral_id}"))
    return token(symbol, name)


def short_info(inst: Instrument, collateral_id: int, oi_long_usd: float = 0.0, oi_short_usd: float = 0.0,
               now_ms: int | None = None) -> Wire:
    """The brief market row; it carries the figures public clients read on `borrowings` rows."""
    day_ago = inst.price_at(now_ms - DAY_MS) if now_ms is not None else inst.price
    return {
        "marketId": inst.market_id,
        "baseToken": base_token(inst),
        "quoteToken": quote_token(),
        "collateralToken": collateral_token(collateral_id),
        "visible": inst.visible,
        "isOpen": True,  # the simulated markets are crypto: 24/7
        "tradingSchedule": None,
        "price": float(inst.price),
        "oiLong": micro(oi_long_usd),
        "oiShort": micro(oi_short_usd),
        "oiMax": micro(inst.oi_max_usd),
        "feesPerHourLong": float(inst.borrow_long_per_hour),
        "feesPerHourShort": float(inst.borrow_short_per_hour),
        "priceChangePct24Hrs": round((inst.price / day_ago - 1) * 100, 6) if day_ago else None,
        "minLeverage": float(inst.min_leverage),
        "maxLeverage": float(inst.max_leverage),
        "openFeePct": float(inst.open_fee_pct),
        "closeFeePct": float(inst.close_fee_pct),
    }


def day_prices(inst: Instrument, now_ms: int) -> list[float]:
    return [p for ts, p in inst.price_history if ts >= now_ms - DAY_MS] + [inst.price]


def borrowing(inst: Instrument, collateral_id: int, oi_long_usd: float, oi_short_usd: float,
              now_ms: int = 0, volume_usd: float = 0.0) -> Wire:
    """`oi_*_usd`: open interest of the positions backed by this collateral only."""
    info = short_info(inst, collateral_id, oi_long_usd, oi_short_usd, now_ms)
    prices = day_prices(inst, now_ms)
    depth = inst.oi_max_usd / 10
    return {
        **{k: info[k] for k in ("isOpen", "tradingSchedule", "priceChangePct24Hrs")},
        "price24HrsAgo": float(inst.price_at(now_ms - DAY_MS)),
        "minPrice24Hrs": float(min(prices)),
        "maxPrice24Hrs": float(max(prices)),
        "volumeUsd": round(volume_usd, 2),
        "priceImpactOiLongUsd": float(oi_long_usd),
        "priceImpactOiShortUsd": float(oi_short_usd),
        "priceImpactOnePercentDepthAboveUsd": depth,
        "priceImpactOnePercentDepthBelowUsd": depth,
        "priceImpactExponent": 1.0,
        "marketId": info["marketId"],
        "baseToken": info["baseToken"],
        "quoteToken": info["quoteToken"],
        "collateralToken": info["collateralToken"],
        "price": float(inst.price),
        "oiLong": micro(oi_long_usd),
        "oiShort": micro(oi_short_usd),
        "oiMax": micro(inst.oi_max_usd),
        "feesPerHourLong": float(inst.borrow_long_per_hour),
        "feesPerHourShort": float(inst.borrow_short_per_hour),
        "openFeePct": float(inst.open_fee_pct),
        "closeFeePct": float(inst.close_fee_pct),
        "triggerOrderFeePct": float(inst.trigger_fee_pct),
        "maxLeverage": float(inst.max_leverage),
        "minLeverage": float(inst.min_leverage),
        "minPositionSizeUSD": int(inst.min_position_usd),
        "visible": inst.visible,
    }


def block(height: int, ts_ms: int) -> Wire:
    return {"block": height, "block_ts": rfc3339nano(ts_ms)}


def trade_state(pos: Position, inst: Instrument, now_ms: int) -> Wire:
    """Live figures of an open trade at the market's current price.

    Borrowing fee: the market's current hourly rate for the side, times size, times hours open
    (the simulation does not accrue it per block). Closing fee: size times the close fee.
    Ratios are relative to the trade's collateral, as the keeper's pnlPct is.
    """
    col = pos.collateral_usd
    pnl = pos.unrealized_pnl(inst.price)
    hours = max(0, now_ms - pos.open_ts) / 3_600_000
    rate = inst.borrow_long_per_hour if pos.is_long else inst.borrow_short_per_hour
    borrow_fee = pos.size_usd * rate * hours
    closing_fee = pos.size_usd * inst.close_fee_pct
    after_fees = pnl - borrow_fee - closing_fee
    return {
        "pnlCollateral": float(micro(pnl)),
        "pnlPct": _ratio(pnl, col),
        "pnlCollateralAfterFees": float(micro(after_fees)),
        "positionValue": float(micro(col + pnl)),
        "liquidationPrice": pos.liquidation_price(),
        "borrowingFeeCollateral": float(micro(borrow_fee)),
        "borrowingFeePct": _ratio(borrow_fee, col),
        "closingFeeCollateral": float(micro(closing_fee)),
        "closingFeePct": _ratio(closing_fee, col),
        "remainingCollateralAfterFees": float(micro(max(0.0, col + after_fees))),
    }


def trade(pos: Position, inst: Instrument, now_ms: int) -> Wire:
    close_block = None
    if pos.close_block is not None and pos.close_ts is not None:
        close_block = block(pos.close_block, pos.close_ts)
    return {
        "id": pos.index,
        "trader": pos.trader,
        "isOpen": pos.is_open,
        "isLong": pos.is_long,
        "tradeType": pos.trade_type,
        "leverage": float(pos.leverage),
        "collateralAmount": micro(pos.collateral_usd),
        "openCollateralAmount": micro(pos.open_collateral_usd),
        "openPrice": float(pos.entry_price),
        "closePrice": None if pos.close_price is None else float(pos.close_price),
        "sl": pos.sl,
        "tp": pos.tp,
        "perpBorrowing": short_info(inst, pos.collateral_id),
        "openBlock": block(pos.open_block, pos.open_ts),
        "closeBlock": close_block,
        "state": trade_state(pos, inst, now_ms) if pos.is_open else None,
    }


def history_item(item_id: int, change_type: str, ev: TradeEvent, trade_wire: Wire) -> Wire:
    realizing = change_type in REALIZING
    return {
        "id": item_id,
        "tradeChangeType": change_type,
        "block": block(ev.block, ev.ts_ms),
        "trade": trade_wire,
        "realizedPnlCollateral": float(micro(ev.realized_pnl_usd)) if realizing else None,
        "realizedPnlPct": _ratio(ev.realized_pnl_usd, ev.collateral_after_usd) if realizing else None,
        "txHash": ev.tx or None,
        "evmTxHash": ev.evm_tx or None,
        "collateralPrice": 1.0,  # both simulated collaterals are USD stablecoins
        # the event's fee (the simulation charges one fee per event, opening or closing)
        "openingFeeUsd": round(ev.fee_usd, 6) if change_type in OPENING else None,
        "closingFeeUsd": round(ev.fee_usd, 6) if realizing else None,
    }


def _ratio(num: float, den: float) -> float:
    return round(num / den, 8) if den else 0.0
