"""Pure functions: market objects -> Sai Keeper's wire dicts (field names as in the schema).

Units, as the real keeper uses them: `*Amount`, `oi*` and `*Collateral` are micro-units of the
collateral token (6 decimals; both simulated collaterals are USD stablecoins, so 1 USD is
1_000_000); `*Pct` are ratios (0.01 is 1%); prices are plain USD floats.
"""

from __future__ import annotations

from typing import Any

from sandbox.market import Instrument, Position, TradeEvent
from sandbox.nibiru.scalars import rfc3339nano

Wire = dict[str, Any]

MICRO = 1_000_000
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


def token(symbol: str, name: str, logo: bool = True) -> Wire:
    return {"symbol": symbol, "name": name, "logoUrl": f"{LOGO_BASE}/{symbol.lower()}.svg" if logo else None}


def base_token(inst: Instrument) -> Wire:
    return token(inst.symbol, inst.name or inst.symbol)


def quote_token() -> Wire:
    return token("USD", "US Dollar", logo=False)


def collateral_token(collateral_id: int) -> Wire:
    symbol, name = COLLATERALS.get(collateral_id, (f"COL{collateral_id}", f"Collateral {collateral_id}"))
    return token(symbol, name)


def short_info(inst: Instrument, collateral_id: int) -> Wire:
    return {
        "marketId": inst.market_id,
        "baseToken": base_token(inst),
        "quoteToken": quote_token(),
        "collateralToken": collateral_token(collateral_id),
        "visible": inst.visible,
    }


def borrowing(inst: Instrument, collateral_id: int, oi_long_usd: float, oi_short_usd: float) -> Wire:
    """`oi_*_usd`: open interest of the positions backed by this collateral only."""
    info = short_info(inst, collateral_id)
    return {
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
    }


def _ratio(num: float, den: float) -> float:
    return round(num / den, 8) if den else 0.0
