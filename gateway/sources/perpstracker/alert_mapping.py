"""Pure mapping of PerpsTracker's pushed trades: WebSocket alerts, alert-trade rows and webhooks.

Three spellings of one fact (docs/sandbox-perpstracker.md lists them): the alert WebSocket's
`trade` (token SOL, LONG/SHORT, OPEN|INCREASE|REDUCE|CLOSE, time in ms), the
`/watchlist/alerts/trades` row (token WSOL, long/short, `trade_classification`, ISO time in whole
seconds, no PnL) and the webhook body (`event`, `data.action` "Open Long"…"Liquidate Short",
ISO time with ms). Each parses into one `AlertFact`, so the same trade gives the same fact
whichever way it arrived; a fact maps to a history item *through the live-trades mapping*
(`mapping.map_live_trade`), so with its position key an item is exactly what live-trades (and
so `tradeHistory` without a trader) gives for that trade.

None of the three carries the position key (Jupiter's position account), which the schema's
`PerpTrade.id`/`venueTradeId` and the item's `id` derive from. The bridges therefore answer with
the source's own items (re-reading the trader); `map_fact` with `position_key=None` is the
fallback when the trade is not (yet) in the upstream's history, and then keys the position by its
natural identity on Jupiter, `<market>:<long|short>` (one position per owner, market and side).
docs/mapping-jupiter.md lists what such an item lacks.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.model.time import format_time
from gateway.model.types import PerpTradeHistoryItem
from gateway.sources import units
from gateway.sources.perpstracker.mapping import (
    is_long_side,
    iso_time,
    live_change_type,
    map_live_trade,
    market_symbol,
    num,
    unix_time,
)
from gateway.sources.perpstracker.wire import LiveTradeRow

KINDS = ("OPEN", "INCREASE", "REDUCE", "CLOSE")
# webhook `data.action` verbs: Open Long, Increase Short, Decrease Long, Close Short, Liquidate Long
_WEBHOOK_VERBS = {"open": "OPEN", "increase": "INCREASE", "decrease": "REDUCE", "reduce": "REDUCE",
                  "close": "CLOSE", "liquidate": "CLOSE"}
WEBHOOK_EVENTS = ("trade.new", "trade.close", "trade.liquidation")


@dataclass(frozen=True)
class AlertFact:
    """One pushed trade, however it was spelled."""

    wallet: str
    signature: str
    when: datetime.datetime
    symbol: str  # base symbol: SOL
    is_long: bool
    kind: str  # OPEN | INCREASE | REDUCE | CLOSE (the live-trades classification)
    liquidation: bool
    size_usd: float | None
    collateral_usd: float | None
    leverage: float | None
    price: float | None
    pnl_usd: float | None  # realized, on REDUCE/CLOSE; the alert-trades rows do not carry it

    @property
    def ts_ms(self) -> int:
        return int(self.when.timestamp() * 1000)


def _kind(value: object) -> str:
    kind = str(value or "").strip().upper()
    if kind not in KINDS:
        raise ValueError(f"not a trade action: {value!r}")
    return kind


def fact_from_ws(msg: Mapping[str, Any]) -> AlertFact:
    """The alert WebSocket's `{"type": "trade", ...}` message."""
    when = unix_time(msg["timestamp"])
    if when is None:
        raise ValueError("alert without a timestamp")
    return AlertFact(
        wallet=str(msg["wallet"]), signature=str(msg["tx_signature"]), when=when,
        symbol=market_symbol(msg.get("token")), is_long=is_long_side(msg.get("side")), kind=_kind(msg["action"]),
        liquidation=False,  # the alert's four actions cannot say so (a liquidation is a CLOSE)
        size_usd=num(msg.get("size_usd")), collateral_usd=num(msg.get("collateral_usd")),
        leverage=num(msg.get("leverage")), price=num(msg.get("price")), pnl_usd=num(msg.get("pnl_usd")),
    )


def fact_from_alert_trade(row: Mapping[str, Any]) -> AlertFact:
    """A `/watchlist/alerts/trades` row (the gap fill's answer)."""
    return AlertFact(
        wallet=str(row["wallet_address"]), signature=str(row["signature"]), when=iso_time(str(row["timestamp"])),
        symbol=market_symbol(row.get("token")), is_long=is_long_side(row.get("side"), row.get("is_long")),
        kind=_kind(row["trade_classification"]),
        liquidation="liquidat" in str(row.get("instruction_type") or "").lower(),
        size_usd=num(row.get("size")), collateral_usd=num(row.get("collateral_usd")),
        leverage=num(row.get("leverage")), price=num(row.get("entry_exit_price")), pnl_usd=None,
    )


def fact_from_webhook(body: Mapping[str, Any]) -> AlertFact | None:
    """A webhook body; None for events that are not trades (the `test` event, future ones)."""
    event = str(body.get("event") or "")
    if event not in WEBHOOK_EVENTS:
        return None
    data = body["data"]
    verb, _, direction = str(data.get("action") or "").strip().partition(" ")
    kind = _WEBHOOK_VERBS.get(verb.lower())
    if kind is None:
        raise ValueError(f"unknown webhook action {data.get('action')!r}")
    side = data.get("side") or direction
    return AlertFact(
        wallet=str(data["wallet"]), signature=str(data["transaction_signature"]),
        when=iso_time(str(data.get("timestamp") or body["created_at"])), symbol=market_symbol(data.get("token")),
        is_long=is_long_side(side), kind=kind,
        liquidation=event == "trade.liquidation" or verb.lower() == "liquidate",
        size_usd=num(data.get("size_usd")), collateral_usd=num(data.get("collateral_usd")),
        leverage=num(data.get("leverage")), price=num(data.get("entry_price")), pnl_usd=num(data.get("pnl_usd")),
    )


def in_time_order(facts: Sequence[AlertFact]) -> list[AlertFact]:
    """Facts oldest first by the upstream's own time, never by their place in a listing.

    The docs promise no order for `/watchlist/alerts/trades` (the example has one row). The
    listing's direction is read from the listing itself (its first time against its last), and
    facts of the same time (the rows carry whole seconds) keep their relative order in that
    direction; a listing with one time throughout is taken as newest first, as every other
    PerpsTracker listing is.
    """
    items = list(facts)
    if len(items) > 1 and items[0].ts_ms >= items[-1].ts_ms:
        items.reverse()
    return sorted(items, key=lambda f: f.ts_ms)  # stable: ties keep the listing's order


def natural_key(fact: AlertFact) -> str:
    """Jupiter's position identity without its account key: market and side."""
    return f"{fact.symbol}:{'long' if fact.is_long else 'short'}"


def as_live_row(fact: AlertFact, position_key: str | None = None) -> LiveTradeRow:
    """The live-trades row PerpsTracker would list for this trade."""
    pnl = units.micro(fact.pnl_usd) if fact.pnl_usd is not None else None
    return {
        "wallet_address": fact.wallet, "signature": fact.signature,
        "timestamp": format_time(fact.when),
        "instruction_type": "liquidateFullPosition" if fact.liquidation else "",
        "trade_classification": fact.kind, "position_pubkey": position_key or natural_key(fact),
        "token": fact.symbol, "is_long": 1 if fact.is_long else 0, "size": fact.size_usd,
        "collateral_usd": fact.collateral_usd, "leverage": fact.leverage,
        "pnl_delta": str(pnl) if pnl is not None else None, "entry_exit_price": fact.price,
        "entire_position": fact.kind == "CLOSE",
    }


def map_fact(fact: AlertFact, position_key: str | None = None) -> PerpTradeHistoryItem:
    """A history item from the pushed fact alone (see the module docstring for what it lacks)."""
    row = as_live_row(fact, position_key)
    change = live_change_type(row)
    assert change is not None  # every KINDS value has a change type
    return map_live_trade(row, change)
