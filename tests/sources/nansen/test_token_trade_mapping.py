"""/tgm/perp-trades rows (the HYPERLIQUID live feed) mapped to history items: the docs' example
and the recorded simulator answer."""

from __future__ import annotations

from typing import Any

from gateway.model.ids import stable_id
from gateway.model.types import PerpTradeChangeType, PerpTradeType
from gateway.model.venue import Venue
from gateway.sources.nansen import mapping
from tests.sources.nansen.conftest import load

TX = "0x61adb6da30853c5988f0204dd9f6e4abbc878e02c34030a4f707cf4ec3124bcb"
TRADER = "0x28c6c06298d514db089934071355e5743bf21d60"


def test_the_docs_token_trade() -> None:
    (row,) = load("doc_tgm_perp_trades")["data"]
    item = mapping.map_token_trade(row)
    assert item is not None
    assert (item.tradeChangeType, item.txHash, item.trader, item.market, item.price, item.sizeDeltaUsd) == (
        PerpTradeChangeType.position_increased, TX, TRADER, "BTC", 60000.0, 90000.0)
    assert item.id == stable_id(f"{TX}:{TRADER}:BTC") and item.venue is Venue.HYPERLIQUID
    assert item.block.block is None and item.block.block_ts == "2025-10-01T12:40:00Z"
    trade = item.trade
    # one position per coin and account: the coin keys it; an Add says nothing about its size
    assert (trade.venueTradeId, trade.id, trade.isOpen, trade.isLong, trade.sizeUsd, trade.openPrice) == (
        "BTC", stable_id("BTC"), True, True, None, None)
    assert item.realizedPnlCollateral is None and trade.collateralAmount is None


def test_recorded_rows_open_and_close_positions() -> None:
    rows: list[Any] = load("sim_tgm_perp_trades")["data"]
    items = [mapping.map_token_trade(r) for r in rows]
    assert all(i is not None for i in items)
    for row, item in zip(rows, items, strict=True):
        assert item is not None
        closing = row["action"] in ("Close", "Liquidation")
        assert item.trade.isOpen is not closing
        assert (item.trade.closePrice is not None) is closing
        if row["action"] == "Open":
            assert item.trade.sizeUsd == row["value_usd"] and item.trade.openTime == item.block.block_ts
            assert item.trade.tradeType is (PerpTradeType.limit if row["type"] == "LIMIT" else PerpTradeType.trade)


def test_an_unknown_action_is_left_out() -> None:
    (row,) = load("doc_tgm_perp_trades")["data"]
    assert mapping.map_token_trade({**row, "action": "Transfer"}) is None
