"""Batching DataLoaders through the gateway, counted at the sandbox's request log.

Many `trades`/`trade`/`tradeHistory` loads for NIBIRU traders in one operation make one aliased
Sai Keeper document; `traderStats` for JUPITER wallets make one `/perpetuals/compare` call per
five wallets; a repeated key is loaded once. Every query here bypasses the response cache, so it
executes; each test uses documents no other test sends, so the upstream cache holds none of them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import httpx

from sandbox.state import PERPSTRACKER_KEY
from tests.api.helpers import codes, traders

BYPASS = {"X-Gateway-Cache": "bypass"}
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
TRADE = ("id trader isOpen isLong tradeType leverage collateralAmount openPrice closePrice sl tp "
         "perpBorrowing { marketId baseToken { symbol } visible } openBlock { block block_ts } "
         "state { pnlCollateral pnlPct liquidationPrice } venue venueTradeId market sizeUsd")
STATS = "venue trader timeframe rank pnl roi winRate trades"


async def post(gateway: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    r = await gateway.post("/graphql", json={"query": query, "variables": variables}, headers=BYPASS)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def requests_since(control: httpx.AsyncClient, upstream: str, since: float) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = (await control.get("/requests", params={"upstream": upstream, "since": since})).json()
    return [r for r in log if r["method"] != "WS"]


async def addresses(control: httpx.AsyncClient, venue: str, n: int) -> list[str]:
    listed = sorted(await traders(control, venue), key=lambda t: -t["positions"])
    assert len(listed) >= n
    return [str(t["address"]) for t in listed[:n]]


def fresh_wallet() -> str:
    return "".join(secrets.choice(B58) for _ in range(44))


async def test_ten_aliased_nibiru_trades_make_one_upstream_request_with_the_same_data(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    wallets = await addresses(live_control, "NIBIRU", 10)
    aliased = " ".join(f"a{i}: trades(where: {{trader: \"{w}\"}}, limit: 7) {{ {TRADE} }}"
                       for i, w in enumerate(wallets))
    since = time.time()
    together = await post(gateway, f"{{ perp {{ {aliased} }} }}")
    assert "errors" not in together, together
    calls = await requests_since(live_control, "nibiru", since)
    assert [(c["method"], c["path"]) for c in calls] == [("POST", "/query")]
    for i, wallet in enumerate(wallets):
        alone = await post(gateway, f"query($t: String!) {{ perp {{ trades(where: {{trader: $t}}, limit: 7) "
                                    f"{{ {TRADE} }} }} }}", t=wallet)
        assert together["data"]["perp"][f"a{i}"] == alone["data"]["perp"]["trades"]
    assert any(together["data"]["perp"][f"a{i}"] for i in range(10)), "some trader has trades"


async def test_repeated_nibiru_keys_share_one_request_and_one_answer(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    a, b = await addresses(live_control, "NIBIRU", 2)
    document = (f"{{ perp {{ x: trades(where: {{trader: \"{a}\", isOpen: false}}) {{ id }} "
                f"y: trades(where: {{trader: \"{a}\", isOpen: false}}) {{ id market }} "
                f"z: trades(where: {{trader: \"{b}\", isOpen: false}}) {{ id }} }} }}")
    since = time.time()
    body = await post(gateway, document)
    assert "errors" not in body, body
    assert len(await requests_since(live_control, "nibiru", since)) == 1
    perp = body["data"]["perp"]
    assert [t["id"] for t in perp["x"]] == [t["id"] for t in perp["y"]]


async def test_trade_and_trade_history_loads_batch_too(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    wallets = await addresses(live_control, "NIBIRU", 3)
    one = " ".join(f"o{i}: trade(id: 1, trader: \"{w}\") {{ id trader }}" for i, w in enumerate(wallets))
    history = " ".join(f"h{i}: tradeHistory(where: {{trader: \"{w}\"}}, limit: 3, order_desc: true) "
                       f"{{ id tradeChangeType trader }}" for i, w in enumerate(wallets))
    since = time.time()
    body = await post(gateway, f"{{ perp {{ {one} {history} }} }}")
    assert "errors" not in body, body
    # one document per root field kind: trade x3 and tradeHistory x3
    assert len(await requests_since(live_control, "nibiru", since)) == 2
    for i, wallet in enumerate(wallets):
        assert all(h["trader"] == wallet for h in body["data"]["perp"][f"h{i}"])
        found = body["data"]["perp"][f"o{i}"]
        assert found is None or found == {"id": 1, "trader": wallet}


async def test_five_trader_stats_make_one_compare_call(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient, live_sandbox_url: str
) -> None:
    wallets = await addresses(live_control, "JUPITER", 5)
    document = "{ perp { " + " ".join(
        f"s{i}: traderStats(trader: \"{w}\", timeframe: WEEK) {{ {STATS} }}" for i, w in enumerate(wallets)
    ) + f" again: traderStats(trader: \"{wallets[0]}\", timeframe: WEEK) {{ rank }} }} }}"
    since = time.time()
    body = await post(gateway, document)
    assert "errors" not in body, body
    calls = [c for c in await requests_since(live_control, "perpstracker", since)
             if c["path"] == "/api/perpetuals/compare"]
    assert len(calls) == 1
    params = httpx.QueryParams(calls[0]["query"])
    assert params["timeframe"] == "7d" and sorted(params["wallets"].split(",")) == sorted(wallets)
    # the ground truth, read with the sandbox key every gateway of the session spends: its rate
    # limits off while reading (`live_control` turns them on again), so a 429 cannot stand in for it
    await live_control.post("/ratelimits", json={"enabled": False})
    async with httpx.AsyncClient(base_url=f"{live_sandbox_url}/perpstracker/api",
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as pt:
        compared = await pt.get("/perpetuals/compare", params={"wallets": ",".join(wallets), "timeframe": "7d"})
    await live_control.post("/ratelimits", json={"enabled": True})
    assert compared.status_code == 200, compared.text
    upstream = compared.json()["comparison"]
    for i, row in enumerate(upstream):
        ours = body["data"]["perp"][f"s{i}"]
        assert ours["venue"] == "JUPITER" and ours["trader"] == row["wallet"] and ours["timeframe"] == "WEEK"
        if row["rank"] is None:
            assert ours == {**ours, "rank": None, "pnl": None, "roi": None, "winRate": None, "trades": None}
        else:
            assert (ours["rank"], ours["pnl"], ours["roi"], ours["winRate"], ours["trades"]) == (
                row["rank"], row["total_pnl"], row["roi"], row["win_rate"], row["total_trades"])
    assert body["data"]["perp"]["again"]["rank"] == body["data"]["perp"]["s0"]["rank"]
    assert any(body["data"]["perp"][f"s{i}"]["rank"] is not None for i in range(5)), "busy traders rank"


async def test_seven_wallets_need_two_compare_calls_of_five_and_two(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    wallets = await addresses(live_control, "JUPITER", 7)
    document = "{ perp { " + " ".join(
        f"s{i}: traderStats(trader: \"{w}\", timeframe: YEAR) {{ rank }}" for i, w in enumerate(wallets)) + " } }"
    since = time.time()
    body = await post(gateway, document)
    assert "errors" not in body, body
    calls = [c for c in await requests_since(live_control, "perpstracker", since)
             if c["path"] == "/api/perpetuals/compare"]
    sizes = sorted(len(httpx.QueryParams(c["query"])["wallets"].split(",")) for c in calls)
    assert sizes == [2, 5]


async def test_a_wallet_the_venue_does_not_rank_has_null_figures(gateway: httpx.AsyncClient) -> None:
    wallet = fresh_wallet()
    body = await post(gateway, "query($w: String!) { perp { traderStats(trader: $w) { " + STATS + " } } }", w=wallet)
    assert body["data"]["perp"]["traderStats"] == {
        "venue": "JUPITER", "trader": wallet, "timeframe": "DAY", "rank": None, "pnl": None, "roi": None,
        "winRate": None, "trades": None}


async def test_trader_stats_on_other_venues_is_bad_user_input_naming_jupiter(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    (nibiru,) = await addresses(live_control, "NIBIRU", 1)
    for document in (
        f"{{ perp {{ traderStats(trader: \"{nibiru}\") {{ rank }} }} }}",
        "{ perp { traderStats(trader: \"0x" + "ab" * 20 + "\") { rank } } }",
        f"{{ perp {{ traderStats(trader: \"{fresh_wallet()}\", venue: HYPERLIQUID) {{ rank }} }} }}",
    ):
        body = await post(gateway, document)
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert "JUPITER" in body["errors"][0]["message"]
