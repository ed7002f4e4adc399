"""/api/v1/profiler/perp-positions and /api/v1/profiler/perp-trades: one address's view."""

from __future__ import annotations

from typing import Any

from sandbox.market import HYPERLIQUID, Market
from sandbox.nansen import render
from sandbox.nansen.listing import (
    Row,
    date_range,
    fill_field_of,
    in_range,
    paginate,
    sort_rows,
    text_matches,
)

# PerpTradeActionFilter groups actions the way the OpenAPI enum names them.
ACTION_GROUPS = {
    "Open/Add": ("Open", "Add"),
    "Close/Reduce": ("Close", "Reduce"),
    "Liquidation": ("Liquidation",),
}


def _address(market: Market, body: dict[str, Any]) -> str:
    """The market's spelling of the address: hex addresses compare case-insensitively."""
    wanted = str(body["address"]).lower()
    if wanted in market.traders[HYPERLIQUID]:
        return wanted
    return next((a for a in market.traders[HYPERLIQUID] if a.lower() == wanted), wanted)


def perp_positions(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    """Open positions (one per coin, Hyperliquid is one-way) plus the account's margin summary.

    An address the market has never seen is an empty account, as Hyperliquid answers it.
    """
    address = _address(market, body)
    held = [
        (p, market.instrument(HYPERLIQUID, p.symbol))
        for p in market.open_positions[HYPERLIQUID] if p.trader == address
    ]
    known = address in market.traders[HYPERLIQUID]
    account_value = market.account_value(HYPERLIQUID, address) if known else 0.0
    filters = body.get("filters") or {}
    rows = [render.asset_position(p, inst, market.now_ms) for p, inst in held]
    rows = [
        r for r in rows
        if in_range(float(r["position"]["position_value_usd"]), filters.get("position_value_usd"))
        and in_range(float(r["position"]["unrealized_pnl_usd"]), filters.get("unrealized_pnl_usd"))
    ]
    rows.sort(key=lambda r: -float(r["position"]["position_value_usd"]))
    rows = sort_rows(rows, body.get("order_by"), lambda r, name: r["position"].get(name))
    return {
        "data": {
            "asset_positions": rows,
            **render.account_summary(held, account_value, market.now_ms),
        }
    }


def _trade_matches(row: Row, filters: dict[str, Any]) -> bool:
    action = filters.get("action")
    if action is not None and row["action"] not in ACTION_GROUPS[action]:
        return False
    if filters.get("side") is not None and row["side"] != filters["side"]:
        return False
    if filters.get("crossed") is not None and row["crossed"] != filters["crossed"]:
        return False
    if not text_matches(row["token_symbol"], filters.get("token_symbol")):
        return False
    if not text_matches(row["fee_token_symbol"], filters.get("fee_token_symbol")):
        return False
    ranges = ("size", "start_position", "closed_pnl", "fee_usd", "oid", "price", "value_usd")
    return all(in_range(row[name], filters.get(name)) for name in ranges)


def perp_trades(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    """Fills of one address in the date range, newest first unless `order_by` says otherwise."""
    address = _address(market, body)
    since, until = date_range(body, market.now_ms)
    filters = body.get("filters") or {}
    rows = [
        render.profiler_trade(ev) | {"_seq": ev.seq}
        for ev in reversed(market.events)
        if ev.venue == HYPERLIQUID and ev.trader == address and ev.action in render.FILL_ACTIONS
        and since <= ev.ts_ms <= until
    ]
    rows = [r for r in rows if _trade_matches(r, filters)]
    return paginate(sort_rows(rows, body.get("order_by"), fill_field_of), body)
