"""Token-level endpoints: perp screener, smart-money trades, tgm perp positions and trades.

Smart money here is any trader with a label (the market labels ~30% of Hyperliquid traders:
"Smart Money", "Fund", "Smart HL Perps Trader", "Whale", "Public Figure", exchange names).
"""

from __future__ import annotations

import re
from typing import Any

from sandbox.market import HYPERLIQUID, Market, TradeEvent
from sandbox.nansen import render
from sandbox.nansen.listing import (
    Row,
    date_range,
    field_of,
    fill_field_of,
    in_range,
    paginate,
    sort_rows,
    text_matches,
)

LABEL_TYPES = {"whale": "Whale", "public_figure": "Public Figure"}
# "Buy - Add Long": a buy that grows a long, i.e. an Open or an Add; "Sell - Reduce Long" shrinks it.
_COMPOUND_ACTION = re.compile(r"^(buy|sell) - (open|add|reduce|close) (long|short)$", re.IGNORECASE)
_VERBS = {"open": ("Open",), "add": ("Open", "Add"), "reduce": ("Reduce", "Close"), "close": ("Close",)}


def _label(market: Market, trader: str) -> str | None:
    t = market.traders[HYPERLIQUID].get(trader)
    return t.label if t else None


def _fills(market: Market, since: int = 0, until: int | None = None) -> list[TradeEvent]:
    """Hyperliquid fills in [since, until], newest first (the endpoints' default order)."""
    end = market.now_ms if until is None else until
    return [
        ev for ev in reversed(market.events)
        if ev.venue == HYPERLIQUID and ev.action in render.FILL_ACTIONS and since <= ev.ts_ms <= end
    ]


def action_matches(row: Row, wanted: str | None) -> bool:
    """Smart-money `action` filter: a bare action ("Open") or Nansen's "Buy - Add Long" form."""
    if wanted is None:
        return True
    m = _COMPOUND_ACTION.match(wanted.strip())
    if m is None:
        return str(row["action"]).lower() == wanted.strip().lower()
    buy, verb, side = m.group(1).lower() == "buy", m.group(2).lower(), m.group(3).capitalize()
    grows = verb in ("open", "add")
    consistent = buy == (grows == (side == "Long"))
    return consistent and row["side"] == side and row["action"] in _VERBS[verb]


def smart_money_trades(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    filters = body.get("filters") or {}
    rows = []
    for ev in _fills(market):
        label = _label(market, ev.trader)
        if not label or (body.get("only_new_positions") and ev.action != "open"):
            continue
        row = render.token_trade(ev, label, upper_type=False) | {"_seq": ev.seq}
        if (action_matches(row, filters.get("action"))
                and (filters.get("side") is None or row["side"] == filters["side"])
                and (filters.get("type") is None or row["type"] == filters["type"])
                and text_matches(row["token_symbol"], filters.get("token_symbol"))
                and in_range(row["value_usd"], filters.get("value_usd"))):
            rows.append(row)
    return paginate(sort_rows(rows, body.get("order_by"), fill_field_of), body)


def tgm_trades(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    symbol = str(body["token_symbol"]).upper()
    since, until = date_range(body, market.now_ms)
    filters = body.get("filters") or {}
    rows = [
        render.token_trade(ev, _label(market, ev.trader), upper_type=True) | {"_seq": ev.seq}
        for ev in _fills(market, since, min(until, market.now_ms)) if ev.symbol == symbol
    ]
    rows = [
        r for r in rows
        if (not filters.get("order_type") or r["type"] in filters["order_type"])
        and (not filters.get("side") or r["side"] in filters["side"])
        and (not filters.get("action") or r["action"] in filters["action"])
    ]
    return paginate(sort_rows(rows, body.get("order_by"), fill_field_of), body)


def _label_kind_matches(label: str | None, label_type: str) -> bool:
    if label_type == "all_traders":
        return True
    if label_type == "smart_money":
        return bool(label)
    return label == LABEL_TYPES[label_type]


def tgm_positions(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    symbol = str(body["token_symbol"]).upper()
    if (HYPERLIQUID, symbol) not in market.instruments:
        return paginate([], body)
    inst = market.instrument(HYPERLIQUID, symbol)
    filters = body.get("filters") or {}
    wanted_labels = {x.lower() for x in filters.get("include_smart_money_labels") or []}
    rows = []
    for pos in market.open_positions[HYPERLIQUID]:
        label = _label(market, pos.trader)
        if pos.symbol != symbol or not _label_kind_matches(label, body.get("label_type") or "all_traders"):
            continue
        if wanted_labels and (label or "").lower() not in wanted_labels:
            continue
        row = render.token_position(pos, inst, label, market.now_ms)
        if ((not filters.get("side") or row["side"] in filters["side"])
                and in_range(row["position_value_usd"], filters.get("position_value_usd"))
                and in_range(row["upnl_usd"], filters.get("upnl_usd"))):
            rows.append(row)
    rows.sort(key=lambda r: -r["position_value_usd"])
    return paginate(sort_rows(rows, body.get("order_by"), field_of), body)
