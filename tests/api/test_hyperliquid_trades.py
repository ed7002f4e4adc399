"""HYPERLIQUID trades, trade and tradeHistory through the gateway, against the simulated Nansen."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gateway.model.ids import stable_id
from tests.api.test_hyperliquid_support import (
    HISTORY_FIELDS,
    TRADE_FIELDS,
    data,
    fresh_trader,
    inject,
    nansen,
)

TRADES = f"""query($trader: String!, $open: Boolean, $market: Int, $collateral: Int, $limit: Int, $offset: Int,
                  $desc: Boolean) {{
  perp {{ trades(where: {{trader: $trader, isOpen: $open, perpMarketId: $market, perpCollateralId: $collateral}},
                 limit: $limit, offset: $offset, order_by: sequence, order_desc: $desc) {{ {TRADE_FIELDS} }} }}
}}"""
HISTORY = f"""query($trader: String!, $types: [PerpTradeChangeType!], $desc: Boolean) {{
  perp {{ tradeHistory(where: {{trader: $trader, tradeChangeType: $types}}, order_desc: $desc) {{ {HISTORY_FIELDS} }} }}
}}"""
ONE = f"""query($id: Int!, $trader: String!) {{ perp {{ trade(id: $id, trader: $trader) {{ {TRADE_FIELDS} }} }} }}"""


@pytest.fixture(autouse=True)
async def no_throttling(live_control: httpx.AsyncClient) -> AsyncIterator[None]:
    """These tests are not about rate limits (live_control turns them back on afterwards)."""
    await live_control.post("/ratelimits", json={"enabled": False})
    yield


def micro(text: str | float) -> int:
    return int((Decimal(str(text)) * 1_000_000).to_integral_value())


def rfc3339(ts_ms: int) -> str:
    at = datetime.datetime.fromtimestamp(ts_ms / 1000, tz=datetime.UTC)
    text = at.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{at.microsecond:06d}".rstrip("0") if at.microsecond else "") + "Z"


async def upstream_position(sandbox: str, trader: str, coin: str) -> dict[str, Any]:
    answer = await nansen(sandbox, "/api/v1/profiler/perp-positions", {"address": trader})
    (pos,) = [a["position"] for a in answer["data"]["asset_positions"] if a["position"]["token_symbol"] == coin]
    return pos  # type: ignore[no-any-return]


async def test_an_injected_open_position_is_mapped_from_positions_and_its_opening_fill(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient, live_sandbox_url: str
) -> None:
    trader = fresh_trader()
    opened = await inject(live_control, trader, "BTC", "open", is_long=True, size_usd=10_000, collateral_usd=2_000)
    (trade,) = (await data(gateway, TRADES, trader=trader))["trades"]
    pos = await upstream_position(live_sandbox_url, trader, "BTC")
    key = f"BTC:{opened['order_id']}"
    assert trade["venueTradeId"] == key and trade["id"] == stable_id(key)
    assert trade["venue"] == "HYPERLIQUID" and trade["trader"] == trader and trade["market"] == "BTC"
    assert trade["isOpen"] and trade["isLong"] and trade["leverage"] == pos["leverage_value"] == 5
    assert trade["collateralAmount"] == micro(pos["margin_used_usd"])
    assert trade["collateralUsd"] == float(pos["margin_used_usd"])
    assert trade["sizeUsd"] == float(pos["position_value_usd"])
    assert trade["openPrice"] == float(pos["entry_price_usd"])
    assert trade["closePrice"] is None and trade["closeBlock"] is None and trade["closeTime"] is None
    assert trade["openBlock"] == {"block": opened["block"], "block_ts": rfc3339(opened["ts_ms"])}
    assert trade["openTime"] == rfc3339(opened["ts_ms"])
    assert trade["perpBorrowing"]["marketId"] == 0 and trade["perpBorrowing"]["collateralToken"]["symbol"] == "USDC"
    state = trade["state"]
    assert state["pnlCollateral"] == micro(pos["unrealized_pnl_usd"])
    assert state["pnlPct"] == float(pos["return_on_equity"])
    assert state["liquidationPrice"] == float(pos["liquidation_price_usd"])
    assert state["positionValue"] == micro(Decimal(pos["margin_used_usd"]) + Decimal(pos["unrealized_pnl_usd"]))
    assert state["borrowingFeeCollateral"] is None and state["remainingCollateralAfterFees"] is None
    assert trade["openCollateralAmount"] is None and trade["sl"] is None and trade["tp"] is None


async def test_an_injected_life_from_open_to_close_in_trades_and_history(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient, live_sandbox_url: str
) -> None:
    trader = fresh_trader()
    opened = await inject(live_control, trader, "ETH", "open", is_long=False, size_usd=6_000, collateral_usd=1_000)
    await inject(live_control, trader, "ETH", "increase", size_usd=3_000)
    await inject(live_control, trader, "ETH", "reduce", size_usd=2_000)
    closed = await inject(live_control, trader, "ETH", "close")
    (trade,) = (await data(gateway, TRADES, trader=trader))["trades"]
    assert trade["venueTradeId"] == f"ETH:{opened['order_id']}" and not trade["isOpen"] and not trade["isLong"]
    assert trade["closePrice"] == closed["price"] and trade["closeBlock"]["block"] == closed["block"]
    assert trade["state"] is None and trade["leverage"] is None and trade["collateralAmount"] is None
    fills = (await nansen(live_sandbox_url, "/api/v1/profiler/perp-trades", {
        "address": trader, "date": {"from": "2000-01-01"}, "order_by": [{"field": "timestamp", "direction": "ASC"}],
    }))["data"]
    grows = [f for f in fills if f["action"] in ("Open", "Add")]
    assert trade["openPrice"] == pytest.approx(
        sum(f["price"] * f["size"] for f in grows) / sum(f["size"] for f in grows), rel=1e-12)

    history = (await data(gateway, HISTORY, trader=trader))["tradeHistory"]
    assert [h["tradeChangeType"] for h in history] == [
        "position_opened", "position_increased", "position_reduced", "position_closed_user"]
    for item, row in zip(history, fills, strict=True):
        assert item["id"] == stable_id(f"{row['transaction_hash']}:{row['oid']}")
        assert item["txHash"] == row["transaction_hash"] and item["evmTxHash"] is None
        assert item["block"]["block"] == row["block_number"]
        assert item["price"] == row["price"] and item["sizeDeltaUsd"] == row["value_usd"]
        assert item["trade"]["venueTradeId"] == trade["venueTradeId"] and item["trade"]["isOpen"] is False
        assert (item["venue"], item["trader"], item["market"]) == ("HYPERLIQUID", trader, "ETH")
        assert item["realizedPnlPct"] is None
    assert [h["realizedPnlCollateral"] for h in history] == [
        None, None, micro(fills[2]["closed_pnl"]), micro(fills[3]["closed_pnl"])]

    newest_first = (await data(gateway, HISTORY, trader=trader, desc=True))["tradeHistory"]
    assert [h["id"] for h in newest_first] == [h["id"] for h in reversed(history)]
    closes = (await data(gateway, HISTORY, trader=trader, types=["position_closed_user"]))["tradeHistory"]
    assert [h["id"] for h in closes] == [history[3]["id"]]


async def test_a_liquidation_is_a_liquidated_event(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    trader = fresh_trader()
    await inject(live_control, trader, "SOL", "open", is_long=True, size_usd=5_000, collateral_usd=500)
    await inject(live_control, trader, "SOL", "liquidation")
    history = (await data(gateway, HISTORY, trader=trader))["tradeHistory"]
    assert [h["tradeChangeType"] for h in history] == ["position_opened", "position_liquidated"]
    assert history[1]["realizedPnlCollateral"] < 0 and history[1]["trade"]["isOpen"] is False


async def test_filters_paging_and_order(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = fresh_trader()
    eth = await inject(live_control, trader, "ETH", "open", is_long=True, size_usd=2_000, collateral_usd=400)
    await inject(live_control, trader, "ETH", "close")
    sol = await inject(live_control, trader, "SOL", "open", is_long=False, size_usd=3_000, collateral_usd=300)
    doge = await inject(live_control, trader, "DOGE", "open", is_long=True, size_usd=1_000, collateral_usd=100)
    keys = [f"ETH:{eth['order_id']}", f"SOL:{sol['order_id']}", f"DOGE:{doge['order_id']}"]

    async def ids(**variables: Any) -> list[str]:
        return [t["venueTradeId"] for t in (await data(gateway, TRADES, trader=trader, **variables))["trades"]]

    assert await ids() == keys
    assert await ids(desc=True) == list(reversed(keys))
    assert await ids(limit=1, offset=1) == keys[1:2]
    assert await ids(limit=2, desc=True) == [keys[2], keys[1]]
    assert await ids(open=True) == keys[1:]
    assert await ids(open=False) == keys[:1]
    assert await ids(market=5) == keys[1:2]  # SOL is Hyperliquid asset 5
    assert await ids(market=12, open=True) == keys[2:]
    assert await ids(collateral=1) == keys
    assert await ids(collateral=2) == []


async def test_trade_by_id_and_venue_inference_from_mixed_case(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    trader = fresh_trader()
    opened = await inject(live_control, trader, "HYPE", "open", is_long=True, size_usd=1_500, collateral_usd=300)
    key = f"HYPE:{opened['order_id']}"
    mixed = "0x" + "".join(c.upper() if i % 2 else c for i, c in enumerate(trader[2:]))
    assert mixed != trader and mixed.lower() == trader
    found = (await data(gateway, ONE, id=stable_id(key), trader=mixed))["trade"]
    assert found["venueTradeId"] == key and found["trader"] == trader and found["venue"] == "HYPERLIQUID"
    explicit = """query($id: Int!, $trader: String!) {
      perp { trade(id: $id, trader: $trader, venue: HYPERLIQUID) { venueTradeId } } }"""
    assert (await data(gateway, explicit, id=stable_id(key), trader=trader))["trade"] == {"venueTradeId": key}
    assert (await data(gateway, ONE, id=stable_id("HYPE:1"), trader=trader))["trade"] is None
    named = """query($trader: String!) { perp { trades(where: {trader: $trader, venue: HYPERLIQUID}) {
      venueTradeId } } }"""
    assert (await data(gateway, named, trader=mixed))["trades"] == [{"venueTradeId": key}]


async def test_a_simulated_trader_with_history(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    traders = (await live_control.get("/traders", params={"venue": "HYPERLIQUID"})).json()
    busy = max(traders, key=lambda t: (t["open_positions"] > 0, t["positions"]))
    trades = (await data(gateway, TRADES, trader=busy["address"], limit=1000))["trades"]
    open_trades = (await data(gateway, TRADES, trader=busy["address"], open=True))["trades"]
    assert len(open_trades) == busy["open_positions"] > 0
    assert {t["id"] for t in open_trades} <= {t["id"] for t in trades}
    assert len({t["id"] for t in trades}) == len(trades)
    # The simulated history (8 days) is inside the 30-day window: every position life is found.
    assert len(trades) == busy["positions"]
    history = (await data(gateway, HISTORY, trader=busy["address"]))["tradeHistory"]
    assert history and {h["trade"]["venueTradeId"] for h in history} <= {t["venueTradeId"] for t in trades}
