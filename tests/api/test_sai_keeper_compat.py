"""Sai Keeper's clients against the gateway: forwarded namespaces, Sai's paths, state subscriptions.

Against the sandbox (not stepping by itself), so the simulator's own answer to a document and the
gateway's answer to the same document are taken from the same market state.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import websockets

from tests.api.helpers import busiest
from tests.api.ws_helpers import connect, recv_json, send_json

VAULT = "nibi1vault01sandbox"
FORWARDED = {
    "lp": "query($v: String!) { lp { vaults { address tvl sharePrice apy feeApy availableAssets currentEpoch "
          "epochStart collateralToken { id symbol } revenueInfo { RevenueCumulative } } epochDurationDays "
          "h: epochDurationHours a: depositHistory(where: {vault: $v}, limit: 2) { id depositor amount action "
          "collateralPrice vault { address } block { block block_ts } } withdrawRequests { depositor shares "
          "unlockEpoch autoRedeem } vaultStats(vault: $v, range: \"7d\") { timestamp sharePrice apy } } }",
    "oracle": "query { oracle { tokens(limit: 5) { id symbol name description type permissionGroup } "
              "tokenPricesUsd(order_by: token_id) { priceUsd token { id symbol } lastUpdatedBlock { block } } "
              "token(id: 1) { symbol name } } }",
    "referral": "query($r: String!) { referral { referralCodes(referrer: $r) { code active uniqueTraders "
                "earningsUSD volumeUSD } referralTrades(referrer: $r, limit: 3) { trader tradeId volumeUSD } "
                "referralRedemption(referrer: $r) { trader code } } }",
    "saiPoints": "query { saiPoints { summary tasks taskCompletions redemptions } }",
    "appVersion": "query { appVersion { dev prod } explorer }",
    "statsUserPortfolio": "query($t: String!) { perp { statsUserPortfolio(trader: $t, range: \"all\") { trader "
                          "timestamp realizedPnlUSD realizedPnlUSDCumulative volumeUSD tradesCount } } }",
    "traderFeeTierProgress": "query($t: String!) { perp { traderFeeTierProgress(trader: $t) { trader "
                             "trailingPoints currentTierLevel nextTierPointsThreshold progressWithinTierPct } } }",
    "leaderboards": "query { perp { leaderboard(limit: 5, offset: 1) { rank reward trader traderEvmAddress "
                    "realizedPnlTotalUsd roiTotal capitalUsedUsd volumeTotalUsd } volumeLeaderboard { rank "
                    "trader volumeTotalUsd thresholdBlock thresholdBlockTs } volumeMarathonLeaderboard { rank "
                    "volumeTotalUsd } cookoutLeaderboard(limit: 3) { rank positivePnlUsd netPnlUsd } } }",
    "fragments": "query($t: String!) { perp { ...P } } fragment P on PerpQuery { traderFeeTierProgress(trader: $t) "
                 "{ ...T } } fragment T on PerpTraderFeeTierProgress { trader x: currentTierLevel }",
}


async def _post(client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(url, json={"query": query, "variables": variables})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("name", sorted(FORWARDED))
async def test_nibiru_only_namespace_equals_sai_keepers_answer(
    name: str, gateway_url: str, live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    trader = await busiest(live_control, "NIBIRU")
    query = FORWARDED[name]
    variables = {k: v for k, v in {"t": trader, "r": trader, "v": VAULT}.items() if f"${k}" in query}
    async with httpx.AsyncClient(timeout=30) as client:
        if name == "referral":  # the simulator's referrer is the first trader in address order
            found = await _post(client, f"{live_sandbox_url}/nibiru/query",
                                "{ perp { leaderboard(limit: 100) { trader } } }", {})
            variables["r"] = sorted(r["trader"] for r in found["data"]["perp"]["leaderboard"])[0]
        sai = await _post(client, f"{live_sandbox_url}/nibiru/query", query, variables)
        ours = await _post(client, f"{gateway_url}/graphql", query, variables)
    assert "errors" not in sai and "errors" not in ours, (sai.get("errors"), ours.get("errors"))
    assert ours["data"] == sai["data"]
    assert json.dumps(ours["data"]) != "{}"


async def test_leaderboard_without_where_is_sai_keepers_with_where_is_cross_venue(
    gateway_url: str, live_sandbox_url: str
) -> None:
    sai_doc = "{ perp { leaderboard(limit: 3) { rank trader realizedPnlTotalUsd volumeTotalUsd } } }"
    async with httpx.AsyncClient(timeout=30) as client:
        sai = await _post(client, f"{live_sandbox_url}/nibiru/query", sai_doc, {})
        ours = await _post(client, f"{gateway_url}/graphql",
                           "{ perp { leaderboard(limit: 3) { rank trader realizedPnlTotalUsd volumeTotalUsd venue "
                           "pnl volume } } }", {})
        merged = await _post(client, f"{gateway_url}/graphql",
                             "{ perp { leaderboard(where: {venue: HYPERLIQUID}, limit: 3) { venue rank trader } } }", {})
    rows = ours["data"]["perp"]["leaderboard"]
    assert [{k: r[k] for k in ("rank", "trader", "realizedPnlTotalUsd", "volumeTotalUsd")} for r in rows] == \
        sai["data"]["perp"]["leaderboard"]
    assert all(r["venue"] == "NIBIRU" and r["pnl"] == r["realizedPnlTotalUsd"] and r["volume"] == r["volumeTotalUsd"]
               for r in rows)
    assert [r["venue"] for r in merged["data"]["perp"]["leaderboard"]] == ["HYPERLIQUID"] * 3


async def test_query_path_serves_http_and_websocket(gateway_url: str) -> None:
    doc = "query SaiMarkets { perp { borrowings(limit: 3) { marketId price isOpen baseToken { symbol } } } }"
    async with httpx.AsyncClient(timeout=30) as client:
        via_query = await _post(client, f"{gateway_url}/query", doc, {})
        via_graphql = await _post(client, f"{gateway_url}/graphql", doc, {})
    assert via_query == via_graphql and len(via_query["data"]["perp"]["borrowings"]) == 3
    ws = await connect(gateway_url.replace("http", "ws", 1) + "/query")
    try:
        await send_json(ws, {"type": "subscribe", "id": "1", "payload": {
            "query": "subscription { perpBorrowings { marketId price } }"}})
        message = await recv_json(ws)
        assert message["type"] == "next" and message["id"] == "1"
        assert message["payload"]["data"]["perpBorrowings"][:3] == [
            {"marketId": r["marketId"], "price": r["price"]} for r in via_query["data"]["perp"]["borrowings"]]
    finally:
        await ws.close()


@pytest.mark.parametrize("field", ["perpBorrowings", "perpBorrowing"])
async def test_state_subscriptions_send_the_current_state_at_once(gateway_url: str, field: str) -> None:
    # the sandbox is not stepped here: no change happens, so only the current state can arrive (the
    # issue asks for it within a second; `recv_json` bounds the wait generously for a loaded machine)
    async with httpx.AsyncClient(timeout=30) as client:
        rows = (await _post(client, f"{gateway_url}/graphql", "{ perp { borrowings { marketId price } } }",
                            {}))["data"]["perp"]["borrowings"]
    market = rows[0]["marketId"]
    document = ("subscription { perpBorrowings { marketId price } }" if field == "perpBorrowings" else
                f"subscription {{ perpBorrowing(collateralId: 1, marketId: {market}) {{ marketId price }} }}")
    ws = await connect(gateway_url.replace("http", "ws", 1) + "/graphql")
    try:
        await send_json(ws, {"type": "subscribe", "id": "s", "payload": {"query": document}})
        message = await recv_json(ws)
        assert message["type"] == "next", message
        data = message["payload"]["data"][field]
        assert (data[0] if field == "perpBorrowings" else data) == rows[0]
    finally:
        await ws.close()


async def test_forwarded_subscription_is_bridged(gateway_url: str, live_control: httpx.AsyncClient) -> None:
    ws = await connect(gateway_url.replace("http", "ws", 1) + "/query")
    try:
        await send_json(ws, {"type": "subscribe", "id": "p", "payload": {
            "query": "subscription { tokenPricesUsd(where: {tokenId: 1}) { priceUsd token { id symbol } "
                     "lastUpdatedBlock { block_ts } } }"}})
        first = (await recv_json(ws))["payload"]["data"]["tokenPricesUsd"]  # the state, at once
        assert [{k: r[k] for k in ("priceUsd", "token")} for r in first] == [
            {"priceUsd": 1, "token": {"id": 1, "symbol": "USDC"}}]
        assert (await live_control.post("/step", json={"seconds": 1})).status_code == 200
        changed = (await recv_json(ws))["payload"]["data"]["tokenPricesUsd"]  # then Sai's message: a change
        assert changed[0]["lastUpdatedBlock"]["block_ts"] > first[0]["lastUpdatedBlock"]["block_ts"]
    finally:
        await ws.close()
    assert websockets is not None
