"""Sai Keeper's known faults absorbed by the gateway, over real sockets to the Sai Keeper simulator.

The simulator reproduces them (page cap of 100 rows, "perp trade not found" for an unknown trade,
the SQL error of the `perpMarketId` filter: tests/sandbox/test_nibiru.py); each test here fails
when the gateway passes the fault through. Expected answers are read from the simulator directly,
paged by 100 as Sai Keeper's own clients page.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.api.helpers import busiest, codes, gql_post
from tests.api.upstream_helpers import gateway_client, policy_settings, upstream_requests

TRADES = ("query($t: String!, $m: Int, $l: Int, $off: Int, $d: Boolean) { perp { trades(where: {trader: $t, "
          "perpMarketId: $m}, limit: $l, offset: $off, order_desc: $d) { id isOpen perpBorrowing { marketId } } } }")
HISTORY = "query($l: Int, $off: Int) { perp { tradeHistory(limit: $l, offset: $off) { id tradeChangeType } } }"


async def _sai(sandbox_url: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{sandbox_url}/nibiru/query", json={"query": query, "variables": variables})
    body: dict[str, Any] = r.json()
    assert "errors" not in body, body
    return body


async def _all_trades(sandbox_url: str, trader: str, desc: bool = False) -> list[dict[str, Any]]:
    """Every trade of `trader`, as a Sai Keeper client gets them: pages of 100 (the server's cap)."""
    rows: list[dict[str, Any]] = []
    while True:
        page = (await _sai(sandbox_url, TRADES, t=trader, l=100, off=len(rows), d=desc))["data"]["perp"]["trades"]
        rows.extend(page)
        if len(page) < 100:
            return rows


async def test_the_simulator_caps_pages_at_100(live_sandbox_url: str) -> None:
    """The premise of the paging tests: without paging, a caller would get 100 rows."""
    rows = (await _sai(live_sandbox_url, HISTORY, l=250))["data"]["perp"]["tradeHistory"]
    assert len(rows) == 100


async def test_a_limit_above_the_page_cap_is_paged_upstream(
    gateway: httpx.AsyncClient, live_sandbox_url: str, live_control: httpx.AsyncClient,
) -> None:
    trader = await busiest(live_control, "NIBIRU")
    everything = await _all_trades(live_sandbox_url, trader)
    assert len(everything) > 160, "the busiest trader has two pages of trades"
    body = await gql_post(gateway, TRADES, t=trader, l=150, off=10)
    assert "errors" not in body
    assert body["data"]["perp"]["trades"] == everything[10:160]
    desc = (await gql_post(gateway, TRADES, t=trader, l=1000, d=True))["data"]["perp"]["trades"]
    assert desc == (await _all_trades(live_sandbox_url, trader, desc=True))[:1000]


async def test_global_history_pages_past_the_cap(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    expected: list[dict[str, Any]] = []
    for offset in (50, 150, 250):
        expected += (await _sai(live_sandbox_url, HISTORY, l=100, off=offset))["data"]["perp"]["tradeHistory"]
    body = await gql_post(gateway, HISTORY, l=300, off=50)
    assert "errors" not in body
    rows = body["data"]["perp"]["tradeHistory"]
    assert rows == expected and [r["id"] for r in rows] == list(range(51, 351))


async def test_pages_go_through_the_policy_chain_as_one_cached_request(live_sandbox_url: str,
                                                                      live_control: httpx.AsyncClient) -> None:
    """The pages of one load are aliases of one upstream document, cached like any other."""
    trader = await busiest(live_control, "NIBIRU")
    async with gateway_client(policy_settings(live_sandbox_url)) as client:
        since = time.time()
        first = await gql_post(client, TRADES, t=trader, l=150)
        assert len(first["data"]["perp"]["trades"]) == 150
        assert len(await upstream_requests(live_control, "nibiru", since, method="POST")) == 1
        again = await gql_post(client, TRADES, t=trader, l=150)
        assert again == first
        assert len(await upstream_requests(live_control, "nibiru", since, method="POST")) == 1, "served cached"


async def test_an_unknown_trade_is_null_not_an_error(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    one = "query($t: String!, $id: Int!) { perp { trade(id: $id, trader: $t) { id trader } } }"
    body = await gql_post(gateway, one, t=trader, id=987_654)
    assert body == {"data": {"perp": {"trade": None}}}
    # batched with a trade that exists: that one keeps its answer, the unknown one is null
    both = ("query($t: String!) { perp { a: trade(id: 0, trader: $t) { id trader } "
            "b: trade(id: 987654, trader: $t) { id } } }")
    body = await gql_post(gateway, both, t=trader)
    assert body == {"data": {"perp": {"a": {"id": 0, "trader": trader}, "b": None}}}


async def test_other_upstream_errors_on_trade_stay_errors(gateway: httpx.AsyncClient,
                                                          live_control: httpx.AsyncClient) -> None:
    """Only "not found" becomes null: an upstream failure is still UPSTREAM_ERROR."""
    trader = await busiest(live_control, "NIBIRU")
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "error", "status": 500})
    body = await gql_post(gateway, "query($t: String!) { perp { trade(id: 0, trader: $t) { id } } }", t=trader)
    assert codes(body) == ["UPSTREAM_ERROR"]


async def test_a_refused_market_filter_is_applied_by_the_gateway(
    gateway: httpx.AsyncClient, live_sandbox_url: str, live_control: httpx.AsyncClient,
) -> None:
    trader = await busiest(live_control, "NIBIRU")
    everything = await _all_trades(live_sandbox_url, trader)
    counts: dict[int, int] = {}
    for t in everything:
        counts[t["perpBorrowing"]["marketId"]] = counts.get(t["perpBorrowing"]["marketId"], 0) + 1
    market = max(counts, key=lambda m: (counts[m], m))
    wanted = [t for t in everything if t["perpBorrowing"]["marketId"] == market]
    assert len(wanted) > 8, "the trader has several trades in one market"
    default = await gql_post(gateway, TRADES, t=trader, m=market)
    assert "errors" not in default, default
    assert default["data"]["perp"]["trades"] == wanted[:100]
    page = await gql_post(gateway, TRADES, t=trader, m=market, l=3, off=5)
    assert page["data"]["perp"]["trades"] == wanted[5:8]
    desc = await gql_post(gateway, TRADES, t=trader, m=market, l=4, d=True)
    assert desc["data"]["perp"]["trades"] == list(reversed(wanted))[:4]


async def test_the_market_filter_never_fails_the_operations_other_loads(
    gateway: httpx.AsyncClient, live_sandbox_url: str, live_control: httpx.AsyncClient,
) -> None:
    trader = await busiest(live_control, "NIBIRU")
    everything = await _all_trades(live_sandbox_url, trader)
    doc = ("query($t: String!) { perp { all: trades(where: {trader: $t}, limit: 5) { id } "
           "btc: trades(where: {trader: $t, perpMarketId: 1}, limit: 5) { id perpBorrowing { marketId } } } }")
    body = await gql_post(gateway, doc, t=trader)
    assert "errors" not in body
    assert body["data"]["perp"]["all"] == [{"id": t["id"]} for t in everything[:5]]
    assert body["data"]["perp"]["btc"] == [
        {"id": t["id"], "perpBorrowing": {"marketId": 1}} for t in everything if t["perpBorrowing"]["marketId"] == 1][:5]


@pytest.mark.parametrize("market", [1, 424242])
async def test_the_docs_btc_example_answers(market: int, gateway: httpx.AsyncClient, live_sandbox_url: str,
                                            live_control: httpx.AsyncClient) -> None:
    """The docs' GetBTCTrades shape (perpMarketId with a limit) works through the gateway; an unknown
    market is an empty list, as the working filter would answer."""
    trader = await busiest(live_control, "NIBIRU")
    everything = await _all_trades(live_sandbox_url, trader)
    body = await gql_post(gateway, TRADES, t=trader, m=market, l=20)
    assert "errors" not in body
    assert body["data"]["perp"]["trades"] == [t for t in everything if t["perpBorrowing"]["marketId"] == market][:20]


async def test_a_refused_market_filter_is_asked_again_after_a_while(
    live_sandbox_url: str, live_control: httpx.AsyncClient,
) -> None:
    """The gateway filters by market itself for FILTER_RETRY seconds after Sai Keeper fails the
    filter, then asks Sai Keeper again (a fixed server is used again without a restart)."""
    from gateway.model.source import Page, TradesQuery
    from gateway.model.venue import Venue
    from gateway.sources.nibiru.source import FILTER_RETRY, NibiruSource
    from tests.clock import Clock
    from tests.streams.bridging import bridge_settings, open_sources

    trader = await busiest(live_control, "NIBIRU")
    query = TradesQuery(trader=trader, market_id=1, page=Page(limit=5))
    async with open_sources(bridge_settings(live_sandbox_url)) as sources:
        source = sources[Venue.NIBIRU]
        assert isinstance(source, NibiruSource)
        source.clock = clock = Clock()
        answer = await source.trades(query)
        assert source.market_filter_refused_at == clock.now  # the simulator fails the filter, as Sai does
        clock.now += 1
        filtered = await source.trades(query)
        assert filtered == answer and source.market_filter_refused_at == clock.now - 1  # filtered here, not asked
        clock.now += FILTER_RETRY - 1
        assert not source.market_filter_refused
        again = await source.trades(query)
        assert again == answer and source.market_filter_refused_at == clock.now  # asked again: refused again
    assert all(t.perpBorrowing.marketId == 1 for t in answer)
