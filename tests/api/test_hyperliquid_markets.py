"""HYPERLIQUID borrowing, borrowings and leaderboard through the gateway, against the simulated Nansen."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.api.test_hyperliquid_support import data, gql, nansen

BORROWING = """query($market: Int!, $collateral: Int!) {
  perp { borrowing(collateralId: $collateral, marketId: $market, venue: HYPERLIQUID) {
    marketId baseToken { symbol name logoUrl } quoteToken { symbol } collateralToken { symbol } price oiLong oiShort
    oiMax feesPerHourLong feesPerHourShort openFeePct closeFeePct triggerOrderFeePct maxLeverage minLeverage
    minPositionSizeUSD visible venue oiTotal fundingRatePerHour } } }"""
BORROWINGS = """query($market: Int, $collateral: Int, $order: PerpBorrowingsOrder, $limit: Int, $offset: Int) {
  perp { borrowings(where: {venue: HYPERLIQUID, marketId: $market, collateralId: $collateral}, order_by: $order,
                    limit: $limit, offset: $offset) {
    marketId baseToken { symbol } quoteToken { symbol } collateralToken { symbol } visible venue } } }"""
LEADERBOARD = """query($where: PerpLeaderboardFilter!, $limit: Int, $offset: Int) {
  perp { leaderboard(where: $where, limit: $limit, offset: $offset) {
    venue rank trader label pnl roi volume winRate trades accountValue } } }"""


@pytest.fixture(autouse=True)
async def no_throttling(live_control: httpx.AsyncClient) -> AsyncIterator[None]:
    await live_control.post("/ratelimits", json={"enabled": False})
    yield


async def screener(sandbox: str) -> dict[str, dict[str, Any]]:
    now = datetime.datetime.now(datetime.UTC)
    answer = await nansen(sandbox, "/api/v1/perp-screener", {
        "date": {"from": (now - datetime.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "to": now.strftime("%Y-%m-%dT%H:%M:%SZ")},
        "pagination": {"page": 1, "per_page": 1000}})
    return {r["token_symbol"]: r for r in answer["data"]}


async def test_borrowing_is_the_screener_row_of_the_market(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    rows = await screener(live_sandbox_url)
    btc = (await data(gateway, BORROWING, market=0, collateral=1))["borrowing"]
    assert btc["marketId"] == 0 and btc["baseToken"] == {"symbol": "BTC", "name": None, "logoUrl": None}
    assert (btc["quoteToken"], btc["collateralToken"]) == ({"symbol": "USD"}, {"symbol": "USDC"})
    assert btc["price"] == rows["BTC"]["mark_price"]
    assert btc["fundingRatePerHour"] == rows["BTC"]["funding"]
    assert btc["oiTotal"] == round(rows["BTC"]["open_interest"] * 1_000_000)
    assert btc["visible"] is True and btc["venue"] == "HYPERLIQUID"
    nulls = ("oiLong", "oiShort", "oiMax", "feesPerHourLong", "feesPerHourShort", "openFeePct", "closeFeePct",
             "triggerOrderFeePct", "maxLeverage", "minLeverage", "minPositionSizeUSD")
    assert all(btc[name] is None for name in nulls)
    hype = (await data(gateway, BORROWING, market=159, collateral=1))["borrowing"]
    assert hype["baseToken"]["symbol"] == "HYPE" and hype["price"] == rows["HYPE"]["mark_price"]
    assert (await data(gateway, BORROWING, market=424242, collateral=1))["borrowing"] is None
    assert (await data(gateway, BORROWING, market=0, collateral=2))["borrowing"] is None


async def test_borrowings_lists_every_perp(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    rows = await screener(live_sandbox_url)
    every = (await data(gateway, BORROWINGS))["borrowings"]
    assert [b["marketId"] for b in every] == [0, 1, 5, 12, 159]
    assert {b["baseToken"]["symbol"] for b in every} == set(rows)
    assert all(b["venue"] == "HYPERLIQUID" and b["collateralToken"]["symbol"] == "USDC" for b in every)
    by_name = (await data(gateway, BORROWINGS, order="base_token_name"))["borrowings"]
    assert [b["baseToken"]["symbol"] for b in by_name] == ["BTC", "DOGE", "ETH", "HYPE", "SOL"]
    assert (await data(gateway, BORROWINGS, market=5))["borrowings"][0]["baseToken"]["symbol"] == "SOL"
    assert (await data(gateway, BORROWINGS, collateral=2))["borrowings"] == []
    assert [b["marketId"] for b in (await data(gateway, BORROWINGS, limit=2, offset=1))["borrowings"]] == [1, 5]


async def test_leaderboard_timeframe_is_nansens_ranking(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    today = datetime.datetime.now(datetime.UTC).date()
    upstream = (await nansen(live_sandbox_url, "/api/v1/perp-leaderboard", {
        "date": {"from": (today - datetime.timedelta(days=7)).isoformat(), "to": today.isoformat()},
        "pagination": {"page": 1, "per_page": 10}, "order_by": [{"field": "total_pnl", "direction": "DESC"}],
    }))["data"]
    top = (await data(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "timeframe": "WEEK"}, limit=10))
    entries = top["leaderboard"]
    assert [e["trader"] for e in entries] == [r["trader_address"] for r in upstream] and len(entries) == 10
    assert [e["rank"] for e in entries] == list(range(1, 11))
    first, row = entries[0], upstream[0]
    assert (first["pnl"], first["roi"], first["accountValue"]) == (row["total_pnl"], row["roi"], row["account_value"])
    assert first["label"] == (row["trader_address_label"] or None)
    assert all(e["venue"] == "HYPERLIQUID" and e["volume"] is None and e["winRate"] is None and e["trades"] is None
               for e in entries)
    middle = (await data(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "timeframe": "WEEK"},
                         limit=3, offset=4))["leaderboard"]
    assert [(e["rank"], e["trader"]) for e in middle] == [(e["rank"], e["trader"]) for e in entries[4:7]]


async def test_leaderboard_date_range_and_token(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    today = datetime.datetime.now(datetime.UTC).date()
    start = (today - datetime.timedelta(days=3)).isoformat()
    ranged = (await data(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "from": start, "to": today.isoformat()},
                         limit=5))["leaderboard"]
    upstream = (await nansen(live_sandbox_url, "/api/v1/perp-leaderboard", {
        "date": {"from": start, "to": today.isoformat()}, "pagination": {"page": 1, "per_page": 5},
        "order_by": [{"field": "total_pnl", "direction": "DESC"}]}))["data"]
    assert [e["trader"] for e in ranged] == [r["trader_address"] for r in upstream]

    btc = (await data(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "timeframe": "MONTH", "token": "btc"},
                      limit=5))["leaderboard"]
    per_token = (await nansen(live_sandbox_url, "/api/v1/tgm/perp-pnl-leaderboard", {
        "token_symbol": "BTC", "date": {"from": (today - datetime.timedelta(days=30)).isoformat(),
                                        "to": today.isoformat()},
        "pagination": {"page": 1, "per_page": 5}, "order_by": [{"field": "pnl_usd_total", "direction": "DESC"}]}))
    rows = per_token["data"]
    assert [e["trader"] for e in btc] == [r["trader_address"] for r in rows] and btc
    assert [(e["pnl"], e["roi"], e["trades"]) for e in btc] == [
        (r["pnl_usd_total"], r["roi_percent_total"], r["nof_trades"]) for r in rows]
    assert all(e["accountValue"] is None for e in btc)
    assert (await data(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "token": "NOPE"}))["leaderboard"] == []


async def test_leaderboard_refuses_a_future_range(gateway: httpx.AsyncClient) -> None:
    tomorrow = (datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=2)).isoformat()
    body = await gql(gateway, LEADERBOARD, where={"venue": "HYPERLIQUID", "from": "2025-01-01", "to": tomorrow})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
