"""Pure mapping of PerpsTracker's pushed trades: the docs' examples, and one trade spelled three ways."""

from __future__ import annotations

import dataclasses
import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.model.ids import stable_id
from gateway.model.types import PerpTradeChangeType as C
from gateway.model.venue import Venue
from gateway.sources.perpstracker import mapping
from gateway.sources.perpstracker.alert_mapping import (
    AlertFact,
    fact_from_alert_trade,
    fact_from_webhook,
    fact_from_ws,
    map_fact,
)
from sandbox.market import JUPITER, Market, TradeEvent
from sandbox.perpstracker import render

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "perpstracker"
SIGNATURE = "5GHqt7RvPnL2cYsW9xTmKjN8bDfVhXzQgE4wJpMk3dZr6HqYtNvBcX8sLmRpTn2V"


def doc(name: str) -> Any:
    return json.loads((FIXTURES / f"doc_{name}.json").read_text())


def test_the_docs_websocket_alert() -> None:
    fact = fact_from_ws(doc("ws_trade"))
    assert fact == AlertFact(
        wallet="9B5XsNQyBE8KmV7nP3zLwTcXf2dRjHqYbJgDqKMT4xZp5WvNsE6rUhAoCyF8", signature=SIGNATURE,
        when=datetime.datetime(2023, 12, 14, 15, 20, tzinfo=datetime.UTC), symbol="SOL", is_long=True,
        kind="OPEN", liquidation=False, size_usd=25000.0, collateral_usd=3000.0, leverage=8.33, price=187.5,
        pnl_usd=None)
    item = map_fact(fact)
    assert item.tradeChangeType is C.position_opened and item.txHash == SIGNATURE and item.venue is Venue.JUPITER
    assert (item.price, item.sizeDeltaUsd, item.market, item.realizedPnlCollateral) == (187.5, 25000.0, "SOL", None)
    assert item.trade.collateralAmount == 3_000_000_000 and item.trade.leverage == 8.33 and item.trade.isOpen
    # no position key in an alert: the position is named by market and side (docs/mapping-jupiter.md)
    assert item.trade.venueTradeId == "SOL:long" and item.id == stable_id(SIGNATURE + "SOL:long")


def test_the_docs_alert_trade_row() -> None:
    (row,) = doc("watchlist_alerts_trades")["trades"]
    fact = fact_from_alert_trade(row)
    assert (fact.wallet, fact.symbol, fact.kind, fact.is_long, fact.price, fact.size_usd, fact.pnl_usd) == (
        "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump", "SOL", "OPEN", True, 198.45, 25000.0, None)
    assert fact.when == datetime.datetime(2025, 12, 16, 5, 8, 2, tzinfo=datetime.UTC)


def test_the_docs_webhook_payload() -> None:
    fact = fact_from_webhook(doc("webhook_payload"))
    assert fact is not None
    assert (fact.wallet, fact.signature, fact.kind, fact.is_long, fact.price, fact.liquidation) == (
        "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump", SIGNATURE, "OPEN", True, 185.5, False)
    assert fact.when == datetime.datetime(2025, 12, 14, 16, 30, tzinfo=datetime.UTC)


def test_webhook_events_that_are_not_trades_are_not_facts() -> None:
    assert fact_from_webhook({"event": "test", "data": doc("webhook_payload")["data"]}) is None
    with pytest.raises(ValueError):
        fact_from_webhook({"event": "trade.new", "data": {**doc("webhook_payload")["data"], "action": "Hodl Long"}})


def _events() -> list[TradeEvent]:
    market = Market(seed=7)
    wanted = {"open", "increase", "reduce", "close", "liquidation"}
    found: dict[str, TradeEvent] = {}
    for ev in market.events:
        if ev.venue == JUPITER and ev.action in wanted:
            found.setdefault(ev.action, ev)
    return [found[a] for a in sorted(wanted) if a in found]


@pytest.mark.parametrize("ev", _events(), ids=lambda ev: ev.action)
def test_one_trade_gives_one_fact_and_the_live_trades_item_whichever_way_it_came(ev: TradeEvent) -> None:
    via_ws = fact_from_ws(render.ws_trade(ev))
    via_hook = fact_from_webhook(render.webhook_payload(ev))
    via_gap = fact_from_alert_trade(render.alert_trade(ev))
    assert via_hook is not None
    # the webhook alone says "liquidation"; the alert-trade row has whole seconds and no PnL
    assert via_ws == via_hook.__class__(**{**vars(via_hook), "liquidation": False})
    assert via_gap.signature == via_ws.signature and via_gap.kind == via_ws.kind
    assert via_gap.when == via_ws.when.replace(microsecond=0)
    live_row = render.live_trade(ev)
    change = mapping.live_change_type(live_row)
    assert change is not None
    expected = mapping.map_live_trade(live_row, change)
    # with the position key, the webhook's item is exactly the live-trades item of the same trade,
    # but for the fee: a push carries none (the live-trades row's `collected_fee` is the only source)
    assert expected.openingFeeUsd is not None or expected.closingFeeUsd is not None
    assert map_fact(via_hook, ev.position_key) == dataclasses.replace(expected, openingFeeUsd=None, closingFeeUsd=None)
