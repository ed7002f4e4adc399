"""Fill rows for grouping tests, shaped like the docs' example row (doc_profiler_perp_trades.json)."""

from __future__ import annotations

import itertools
from typing import Any

from gateway.sources.nansen import wire
from tests.sources.nansen.conftest import load

TRADER = "0x45d26f28196d226497130c4bac709d808fed4029"
_DOC_ROW: dict[str, Any] = load("doc_profiler_perp_trades")["data"][0]
_seq = itertools.count(1)


def fill(action: str, size: float, start: float, *, coin: str = "BTC", side: str | None = None,
         price: float = 100.0, pnl: float = 0.0, crossed: bool = True, minute: int | None = None,
         oid: int | None = None) -> wire.Fill:
    """One row; `side` defaults to the sign of the position the row works on."""
    n = next(_seq)
    minute = n if minute is None else minute
    if side is None:
        side = "Short" if start < 0 else "Long"
    row = dict(_DOC_ROW)
    row.update(
        action=action, size=size, start_position=start, token_symbol=coin, side=side, price=price,
        closed_pnl=pnl, crossed=crossed, value_usd=round(size * price, 2), oid=oid or 1000 + n,
        block_number=756_000_000 + minute * 1000, transaction_hash=f"0x{n:064x}",
        timestamp=f"2025-10-08T{10 + minute // 60:02d}:{minute % 60:02d}:00.000000",
    )
    return row  # type: ignore[return-value]


def position(coin: str, size: str, **fields: Any) -> wire.Position:
    """A perp-positions entry with the docs' example values, resized."""
    base = dict(load("doc_profiler_perp_positions")["data"]["asset_positions"][0]["position"])
    base.update(token_symbol=coin, size=size, **fields)
    return base  # type: ignore[return-value]
