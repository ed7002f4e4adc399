"""/api/v1/perp-leaderboard and /api/v1/tgm/perp-pnl-leaderboard, from `market.stats`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.market import HYPERLIQUID, Market, Position, TradeEvent
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


def perp_leaderboard(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    """Traders ranked by realized PnL over the range; `roi` is percent of collateral put in."""
    since, until = date_range(body, market.now_ms)
    filters = body.get("filters") or {}
    rows: list[Row] = [
        {
            "trader_address": s.trader,
            "trader_address_label": s.label or "",
            "total_pnl": s.pnl,
            "roi": s.roi,
            "account_value": market.account_value(HYPERLIQUID, s.trader),
        }
        for s in market.stats(HYPERLIQUID, since, min(until, market.now_ms))
    ]
    rows = [
        r for r in rows
        if in_range(r["account_value"], filters.get("account_value"))
        and in_range(r["total_pnl"], filters.get("total_pnl"))
        and text_matches(r["trader_address_label"], filters.get("trader_address_label"), contains=True)
    ]
    return paginate(sort_rows(rows, body.get("order_by"), field_of), body)


@dataclass
class _Flow:
    """One trader's token flow in one market over the range."""

    max_held: float = 0.0
    max_held_usd: float = 0.0
    net_tokens: float = 0.0
    net_usd: float = 0.0

    def add(self, ev: TradeEvent) -> None:
        tokens = render.fill_tokens(ev)
        signed = tokens if render.is_buy(ev) else -tokens
        after = 0.0 if ev.action in ("close", "liquidation") else ev.start_position_tokens + signed
        held = max(abs(ev.start_position_tokens), abs(after))
        self.max_held = max(self.max_held, held)
        self.max_held_usd = max(self.max_held_usd, held * ev.price)
        self.net_tokens += signed
        self.net_usd += signed * ev.price


def _flows(market: Market, symbol: str, since: int, until: int) -> dict[str, _Flow]:
    flows: dict[str, _Flow] = {}
    for ev in market.events:
        if (ev.venue == HYPERLIQUID and ev.symbol == symbol and ev.action in render.FILL_ACTIONS
                and since <= ev.ts_ms <= until):
            flows.setdefault(ev.trader, _Flow()).add(ev)
    return flows


def _pct(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def pnl_leaderboard(market: Market, body: dict[str, Any]) -> dict[str, Any]:
    """Traders of one perp ranked by realized PnL over the range, with their current holding."""
    symbol = str(body["token_symbol"]).upper()
    if (HYPERLIQUID, symbol) not in market.instruments:
        return paginate([], body)
    inst = market.instrument(HYPERLIQUID, symbol)
    since, until = date_range(body, market.now_ms)
    until = min(until, market.now_ms)
    flows = _flows(market, symbol, since, until)
    holding: dict[str, Position] = {
        p.trader: p for p in market.open_positions[HYPERLIQUID] if p.symbol == symbol
    }
    rows: list[Row] = []
    for s in market.stats(HYPERLIQUID, since, until, symbol):
        pos = holding.get(s.trader)
        flow = flows.get(s.trader, _Flow())
        tokens = render.signed_tokens(pos) if pos else 0.0
        upnl = pos.unrealized_pnl(inst.price) if pos else 0.0
        rows.append({
            "trader_address": s.trader,
            "trader_address_label": s.label or "",
            "price_usd": render.price(inst.price),
            "pnl_usd_realised": s.pnl,
            "pnl_usd_unrealised": upnl,
            "holding_amount": tokens,
            "position_value_usd": round(abs(tokens) * inst.price, 2),
            "max_balance_held": round(flow.max_held, 6),
            "max_balance_held_usd": round(flow.max_held_usd, 2),
            "still_holding_balance_ratio": round(min(1.0, abs(tokens) / flow.max_held), 4) if flow.max_held else 0.0,
            "netflow_amount_usd": round(flow.net_usd, 2),
            "netflow_amount": round(flow.net_tokens, 6),
            "roi_percent_total": _pct(s.pnl + upnl, s.collateral_in),
            "roi_percent_realised": _pct(s.pnl, s.collateral_in),
            "roi_percent_unrealised": _pct(upnl, s.collateral_in),
            "pnl_usd_total": round(s.pnl + upnl, 2),
            "nof_trades": s.trades,
        })
    filters = body.get("filters") or {}
    rows = [
        r for r in rows
        if in_range(r["pnl_usd_realised"], filters.get("pnl_usd_realised"))
        and in_range(r["position_value_usd"], filters.get("position_value_usd"))
        and text_matches(r["trader_address_label"], filters.get("trader_address_label"), contains=True)
    ]
    return paginate(sort_rows(rows, body.get("order_by"), field_of), body)
