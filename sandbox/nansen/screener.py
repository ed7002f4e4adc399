"""/api/v1/perp-screener: one row per Hyperliquid perp over the request's date range.

Two row shapes, as the docs' example shows: the market view (volume, buy/sell volume, pressure)
and, with `only_smart_money: true` or a `smart_money_volume` filter, the smart-money view
(labelled traders' volume and their current long/short exposure). Both are computed in full so
that filters and `order_by` may name any screener field; the row is then cut to its shape.
"""

from __future__ import annotations

from typing import Any

from sandbox.market import HYPERLIQUID, Instrument, Market, TradeEvent
from sandbox.nansen import render
from sandbox.nansen.listing import (
    Row,
    date_range,
    field_of,
    in_range,
    paginate,
    sort_rows,
    text_matches,
)

MARKET_FIELDS = (
    "buy_sell_pressure", "buy_volume", "funding", "mark_price", "open_interest", "previous_price_usd",
    "sell_volume", "token_symbol", "trader_count", "volume",
)
SMART_FIELDS = (
    "current_smart_money_position_longs_usd", "current_smart_money_position_shorts_usd", "funding",
    "mark_price", "net_position_change", "open_interest", "previous_price_usd", "smart_money_buy_volume",
    "smart_money_longs_count", "smart_money_sell_volume", "smart_money_shorts_count",
    "smart_money_volume", "token_symbol", "trader_count",
)


def _figures(market: Market, inst: Instrument, fills: list[TradeEvent], since: int) -> Row:
    smart = {a for a, t in market.traders[HYPERLIQUID].items() if t.label}
    buy = sell = sm_buy = sm_sell = 0.0
    traders: set[str] = set()
    sm_traders: set[str] = set()
    for ev in fills:
        value = render.fill_tokens(ev) * ev.price
        traders.add(ev.trader)
        if render.is_buy(ev):
            buy += value
        else:
            sell += value
        if ev.trader in smart:
            sm_traders.add(ev.trader)
            if render.is_buy(ev):
                sm_buy += value
            else:
                sm_sell += value
    sm_positions = [
        p for p in market.open_positions[HYPERLIQUID] if p.symbol == inst.symbol and p.trader in smart
    ]
    longs = [p for p in sm_positions if p.is_long]
    shorts = [p for p in sm_positions if not p.is_long]
    oi_long, oi_short = market.open_interest(HYPERLIQUID, inst.symbol)
    return {
        "buy_sell_pressure": round(buy - sell, 2),
        "buy_volume": round(buy, 2),
        "funding": inst.funding_rate,
        "mark_price": render.price(inst.price),
        "open_interest": round(oi_long + oi_short, 2),
        "previous_price_usd": render.price(inst.price_at(since)),
        "sell_volume": round(sell, 2),
        "token_symbol": inst.symbol,
        "volume": round(buy + sell, 2),
        "current_smart_money_position_longs_usd": round(
            sum(render.position_value(p, inst.price) for p in longs), 2),
        "current_smart_money_position_shorts_usd": -round(
            sum(render.position_value(p, inst.price) for p in shorts), 2),
        "net_position_change": round(sm_buy - sm_sell, 2),
        "smart_money_buy_volume": round(sm_buy, 2),
        "smart_money_longs_count": len({p.trader for p in longs}),
        "smart_money_sell_volume": round(sm_sell, 2),
        "smart_money_shorts_count": len({p.trader for p in shorts}),
        "smart_money_volume": round(sm_buy + sm_sell, 2),
        "all_traders": len(traders),
        "smart_traders": len(sm_traders),
    }


def perp_screener(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    since, until = date_range(body, market.now_ms)
    filters = body.get("filters") or {}
    smart_view = bool(body.get("only_smart_money")) or filters.get("smart_money_volume") is not None
    by_symbol: dict[str, list[TradeEvent]] = {}
    for ev in market.events:
        if ev.venue == HYPERLIQUID and ev.action in render.FILL_ACTIONS and since <= ev.ts_ms <= until:
            by_symbol.setdefault(ev.symbol, []).append(ev)
    rows = []
    for inst in market.venue_instruments(HYPERLIQUID):
        row = _figures(market, inst, by_symbol.get(inst.symbol, []), since)
        row["trader_count"] = row["smart_traders"] if smart_view else row["all_traders"]
        if (text_matches(row["token_symbol"], filters.get("token_symbol"))
                and all(in_range(row[name], filters.get(name))
                        for name in ("volume", "buy_sell_pressure", "open_interest", "smart_money_volume"))):
            rows.append(row)
    rows.sort(key=lambda r: -r["smart_money_volume" if smart_view else "volume"])
    rows = sort_rows(rows, body.get("order_by"), field_of)
    shape = SMART_FIELDS if smart_view else MARKET_FIELDS
    return paginate([{k: r[k] for k in shape} for r in rows], body)
