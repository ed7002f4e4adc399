"""Pure functions from market objects to Nansen's wire dicts (no HTTP, no request state).

Conventions the docs show: profiler perp-positions numbers are strings ("-50367.0"), everything
else is JSON numbers; profiler trade timestamps are zone-less microsecond ISO strings
("2025-10-08T18:46:11.452000"), token-level trade timestamps are second-precision with a Z.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.market import Instrument, Position, TradeEvent

FILL_ACTIONS = ("open", "increase", "reduce", "close", "liquidation")  # set_tp/set_sl are not fills
ACTION_NAMES = {
    "open": "Open", "increase": "Add", "reduce": "Reduce", "close": "Close", "liquidation": "Liquidation",
}


def num_str(x: float) -> str:
    """Nansen's decimal strings: up to 6 decimals, at least one ("-50367.0"), never exponents."""
    s = f"{round(float(x), 6):.6f}".rstrip("0")
    if s.endswith("."):
        s += "0"
    return "0.0" if s == "-0.0" else s


def price(x: float) -> float:
    if abs(x) >= 1000:
        return round(x, 2)
    if abs(x) >= 1:
        return round(x, 4)
    return round(x, 6)


def profiler_time(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def block_time(ts_ms: int) -> str:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fill_tokens(ev: TradeEvent) -> float:
    """Unsigned size of a fill in tokens.

    The market keeps sizes as USD at entry price: an open or add is bought at the fill price,
    a reduce/close/liquidation removes tokens valued at the (unchanged) entry price.
    """
    basis = ev.price if ev.action in ("open", "increase") else ev.entry_price
    return round(ev.size_delta_usd / basis, 6) if basis else 0.0


def is_buy(ev: TradeEvent) -> bool:
    """Longs buy to grow and sell to shrink; shorts the other way round."""
    grows = ev.action in ("open", "increase")
    return grows == ev.is_long


def side(is_long: bool) -> str:
    return "Long" if is_long else "Short"


def profiler_trade(ev: TradeEvent) -> dict[str, Any]:
    """One fill as /profiler/perp-trades returns it (PerpTrade in the OpenAPI)."""
    tokens = fill_tokens(ev)
    return {
        "action": ACTION_NAMES[ev.action],
        "block_number": ev.block,
        "closed_pnl": ev.realized_pnl_usd,
        "crossed": ev.order_type == "Market",  # a market order crosses the book (taker)
        "fee_token_symbol": "USDC",
        "fee_usd": ev.fee_usd,
        "oid": ev.order_id,
        "price": price(ev.price),
        "side": side(ev.is_long),
        "size": tokens,
        "start_position": ev.start_position_tokens,
        "timestamp": profiler_time(ev.ts_ms),
        "token_symbol": ev.symbol,
        "transaction_hash": ev.tx,
        "user": ev.trader,
        "value_usd": round(tokens * ev.price, 2),
    }


def token_trade(ev: TradeEvent, label: str | None, *, upper_type: bool) -> dict[str, Any]:
    """One fill as /smart-money/perp-trades (type "Market") or /tgm/perp-trades ("MARKET") show it."""
    tokens = fill_tokens(ev)
    return {
        "trader_address_label": label or "",
        "trader_address": ev.trader,
        "token_symbol": ev.symbol,
        "side": side(ev.is_long),
        "action": ACTION_NAMES[ev.action],
        "token_amount": tokens,
        "price_usd": price(ev.price),
        "value_usd": round(tokens * ev.price, 2),
        "type": ev.order_type.upper() if upper_type else ev.order_type,
        "block_timestamp": block_time(ev.ts_ms),
        "transaction_hash": ev.tx,
    }


def funding_usd(pos: Position, inst: Instrument, since_ms: int, now_ms: int) -> float:
    """Funding received (+) or paid (-) since a time, at the market's current hourly rate.

    The market keeps only the current rate, so this is an estimate: longs pay a positive rate.
    """
    hours = max(0, now_ms - since_ms) / 3_600_000
    sign = -1 if pos.is_long else 1
    return round(sign * pos.size_usd * inst.funding_rate * hours, 6)


def leverage_value(pos: Position) -> int:
    return max(1, round(pos.leverage))


def signed_tokens(pos: Position) -> float:
    return round(pos.size_tokens * (1 if pos.is_long else -1), 6)


def position_value(pos: Position, mark: float) -> float:
    return round(abs(pos.size_tokens) * mark, 6)


def asset_position(pos: Position, inst: Instrument, now_ms: int) -> dict[str, Any]:
    """One entry of `asset_positions` (Hyperliquid's clearinghouse state, Nansen's names)."""
    mark = inst.price
    lev = leverage_value(pos)
    value = position_value(pos, mark)
    upnl = pos.unrealized_pnl(mark)
    equity = pos.size_usd / lev  # initial margin at entry: Hyperliquid's return-on-equity basis
    since_open = funding_usd(pos, inst, pos.open_ts, now_ms)
    return {
        "position": {
            "cumulative_funding_all_time_usd": num_str(since_open),
            "cumulative_funding_since_change_usd": num_str(funding_usd(pos, inst, pos.last_updated_ts, now_ms)),
            "cumulative_funding_since_open_usd": num_str(since_open),
            "entry_price_usd": num_str(pos.entry_price),
            "leverage_type": "cross",
            "leverage_value": lev,
            "liquidation_price_usd": num_str(pos.liquidation_price()),
            "margin_used_usd": num_str(value / lev),
            "max_leverage_value": int(inst.max_leverage),
            "position_value_usd": num_str(value),
            "return_on_equity": num_str(upnl / equity if equity else 0.0),
            "size": num_str(signed_tokens(pos)),
            "token_symbol": pos.symbol,
            "unrealized_pnl_usd": num_str(upnl),
        },
        "position_type": "oneWay",
    }


def account_summary(
    positions: list[tuple[Position, Instrument]], account_value: float, now_ms: int
) -> dict[str, Any]:
    """The margin-summary fields of /profiler/perp-positions, over all open positions."""
    ntl = sum(position_value(p, i.price) for p, i in positions)
    margin = sum(position_value(p, i.price) / leverage_value(p) for p, i in positions)
    maintenance = sum(position_value(p, i.price) / (2 * i.max_leverage) for p, i in positions)
    signed_ntl = sum(position_value(p, i.price) * (1 if p.is_long else -1) for p, i in positions)
    raw = account_value - signed_ntl  # Hyperliquid's totalRawUsd: cash after the positions' notional
    return {
        "cross_maintenance_margin_used_usd": num_str(maintenance),
        "cross_margin_summary_account_value_usd": num_str(account_value),
        "cross_margin_summary_total_margin_used_usd": num_str(margin),
        "cross_margin_summary_total_net_liquidation_position_on_usd": num_str(ntl),
        "cross_margin_summary_total_raw_usd": num_str(raw),
        "margin_summary_account_value_usd": num_str(account_value),
        "margin_summary_total_margin_used_usd": num_str(margin),
        "margin_summary_total_net_liquidation_position_usd": num_str(ntl),
        "margin_summary_total_raw_usd": num_str(raw),
        "timestamp": now_ms,
        "withdrawable_usd": num_str(max(0.0, account_value - margin)),
    }


def token_position(pos: Position, inst: Instrument, label: str | None, now_ms: int) -> dict[str, Any]:
    """One row of /tgm/perp-positions: `position_size` is signed (negative for shorts)."""
    return {
        "address": pos.trader,
        "address_label": label or "",
        "side": side(pos.is_long),
        "position_value_usd": round(position_value(pos, inst.price), 2),
        "position_size": signed_tokens(pos),
        "leverage": f"{leverage_value(pos)}X",
        "leverage_type": "cross",
        "entry_price": price(pos.entry_price),
        "mark_price": price(inst.price),
        "liquidation_price": price(pos.liquidation_price()),
        "funding_usd": round(funding_usd(pos, inst, pos.open_ts, now_ms), 2),
        "upnl_usd": pos.unrealized_pnl(inst.price),
    }
