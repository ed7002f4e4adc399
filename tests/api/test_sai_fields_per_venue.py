"""Sai Keeper's newer fields of shared types, mapped for JUPITER and HYPERLIQUID, against the sandbox.

Each mapped value is checked against what the simulator serves for the same state (its REST
answers); the fields a venue has no figure for must be null (docs/mapping-jupiter.md,
docs/mapping-hyperliquid.md).
"""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from sandbox.state import NANSEN_KEY, PERPSTRACKER_KEY
from tests.api.helpers import busiest

MARKET_FIELDS = ("marketId price isOpen tradingSchedule { name } oiLong oiShort maxLeverage minLeverage "
                 "priceChangePct24Hrs feesPerHourLong openFeePct baseToken { id symbol }")
ITEM_FIELDS = "txHash tradeChangeType collateralPrice openingFeeUsd closingFeeUsd trade { perpBorrowing { isOpen } }"


async def _data(gateway: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = (await gateway.post("/graphql", json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]["perp"]
    return data


async def test_jupiter_markets_and_history_items(
    gateway: httpx.AsyncClient, live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    rows = (await _data(gateway, f"{{ perp {{ borrowings(where: {{venue: JUPITER}}) {{ {MARKET_FIELDS} }} }} }}"))[
        "borrowings"]
    trader = await busiest(live_control, "JUPITER")
    items = (await _data(gateway, f"query($t: String!) {{ perp {{ tradeHistory(where: {{trader: $t}}, limit: 1000) "
                                  f"{{ {ITEM_FIELDS} }} }} }}", t=trader))["tradeHistory"]
    # the ground truth, read with the sandbox key that every gateway of the session spends: its rate
    # limits off while reading (a 429 here once failed a full suite run); `live_control` turns them on again
    await live_control.post("/ratelimits", json={"enabled": False})
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/perpstracker/api", timeout=30,
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as pt:
        prices = (await pt.get("/prices")).json()
        custodies = {c["symbol"]: c for c in (await pt.get("/trading/markets")).json()["custodies"]}
        history = await pt.get(f"/perpetuals/trader/{trader}/history", params={"limit": 100})
    await live_control.post("/ratelimits", json={"enabled": True})
    assert history.status_code == 200, history.text
    records = history.json()["trades"]
    assert [r["baseToken"]["symbol"] for r in rows] == ["SOL", "ETH", "BTC"]
    for row in rows:
        c = custodies[row["baseToken"]["symbol"]]
        assert row["price"] == prices[row["baseToken"]["symbol"]] and row["isOpen"] is True
        assert row["oiLong"] == int(c["guaranteedUsd"]) * 10**6 and row["oiShort"] == int(c["globalShortSizes"]) * 10**6
        assert row["maxLeverage"] == c["maxLeverage"]
        assert row["tradingSchedule"] is None and row["minLeverage"] is None and row["priceChangePct24Hrs"] is None
        assert row["feesPerHourLong"] is None and row["openFeePct"] is None and row["baseToken"]["id"] is None
    by_tx = {r["txHash"]: r for r in records}
    checked = 0
    for item in items:
        record = by_tx.get(item["txHash"])
        assert item["collateralPrice"] == 1 and item["trade"]["perpBorrowing"]["isOpen"] is True
        if record is None:
            continue
        fee = record["fee"] - record.get("borrowFee", 0)
        opening = item["tradeChangeType"] in ("position_opened", "position_increased")
        assert (item["openingFeeUsd"], item["closingFeeUsd"]) == pytest.approx((fee, None) if opening else (None, fee))
        checked += 1
    assert checked > 0


async def test_hyperliquid_markets_and_history_items(
    gateway: httpx.AsyncClient, live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    async def screener() -> dict[str, dict[str, Any]]:
        now = datetime.datetime.now(datetime.UTC)
        body = {"date": {"from": (now - datetime.timedelta(hours=24)).isoformat().replace("+00:00", "Z"),
                         "to": now.isoformat().replace("+00:00", "Z")}, "pagination": {"page": 1, "per_page": 1000}}
        answer = (await nansen.post("/api/v1/perp-screener", json=body)).json()
        return {r["token_symbol"]: r for r in answer["data"]}

    trader = await busiest(live_control, "HYPERLIQUID")
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/nansen", headers={"apiKey": NANSEN_KEY},
                                 timeout=30) as nansen:
        before = await screener()  # the gateway asks for the 24 hours up to its own "now", in between
        rows = (await _data(gateway, "{ perp { borrowings(where: {venue: HYPERLIQUID}) { " + MARKET_FIELDS
                            + " } b: borrowing(collateralId: 1, marketId: 0, venue: HYPERLIQUID) { price "
                            "price24HrsAgo priceChangePct24Hrs minPrice24Hrs volumeUsd isOpen } } }"))
        after = await screener()
        items = (await _data(gateway, f"query($t: String!) {{ perp {{ tradeHistory(where: {{trader: $t}}, "
                                      f"limit: 1000) {{ {ITEM_FIELDS} }} }} }}", t=trader))["tradeHistory"]
        fills = (await nansen.post("/api/v1/profiler/perp-trades", json={
            "address": trader, "date": {"from": "2000-01-01"}, "pagination": {"page": 1, "per_page": 1000}})).json()["data"]
    btc = rows["b"]
    assert btc["price24HrsAgo"] in {before["BTC"]["previous_price_usd"], after["BTC"]["previous_price_usd"]}
    assert btc["priceChangePct24Hrs"] == pytest.approx((btc["price"] - btc["price24HrsAgo"]) / btc["price24HrsAgo"] * 100)
    assert btc["isOpen"] is True and btc["minPrice24Hrs"] is None and btc["volumeUsd"] is None
    for row in rows["borrowings"]:
        assert row["price"] in {before[row["baseToken"]["symbol"]]["mark_price"],
                                after[row["baseToken"]["symbol"]]["mark_price"]}
        assert row["isOpen"] is True and row["priceChangePct24Hrs"] is not None
        assert row["oiLong"] is None and row["maxLeverage"] is None and row["baseToken"]["id"] is None
    fees: dict[str, float] = {}
    for f in fills:  # one item per order: its fills' fees add up
        fees[f["transaction_hash"]] = fees.get(f["transaction_hash"], 0.0) + f["fee_usd"]
    assert items
    for item in items:
        fee = fees[item["txHash"]]
        opening = item["tradeChangeType"] in ("position_opened", "position_increased")
        assert item["collateralPrice"] == 1 and item["trade"]["perpBorrowing"]["isOpen"] is True
        assert (item["openingFeeUsd"], item["closingFeeUsd"]) == pytest.approx((fee, None) if opening else (None, fee))
