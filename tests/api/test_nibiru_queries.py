"""NIBIRU through the gateway, over real sockets to the Sai Keeper simulator."""

from __future__ import annotations

import random

import httpx

from sandbox import addresses
from tests.api.helpers import busiest, codes, gql_post

TRADE_FIELDS = "id trader isOpen isLong leverage collateralAmount venue venueTradeId market sizeUsd collateralUsd openTime"


async def test_trades_infer_nibiru_from_the_address(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    body = await gql_post(gateway, f"query($t: String!) {{ perp {{ trades(where: {{trader: $t}}) {{ {TRADE_FIELDS} }} }} }}",
                          t=trader)
    trades = body["data"]["perp"]["trades"]
    assert trades and all(t["venue"] == "NIBIRU" and t["trader"] == trader for t in trades)
    for t in trades:
        assert t["venueTradeId"] == str(t["id"])
        assert t["collateralUsd"] == t["collateralAmount"] / 1_000_000
        assert abs(t["sizeUsd"] - t["collateralUsd"] * t["leverage"]) < 1e-3
        assert t["openTime"].endswith("Z")


async def test_filters_and_paging_are_pushed_down(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    q = "query($t: String!, $o: Boolean, $l: Int, $off: Int, $d: Boolean) { perp { trades(where: {trader: $t, isOpen: $o}, limit: $l, offset: $off, order_desc: $d) { id isOpen } } }"
    everything = (await gql_post(gateway, q, t=trader, l=1000))["data"]["perp"]["trades"]
    assert len(everything) > 100, "the busiest trader has more than one default page"
    default = (await gql_post(gateway, q, t=trader))["data"]["perp"]["trades"]
    assert default == everything[:100], "Sai Keeper's default limit applies when the caller gives none"
    opened = (await gql_post(gateway, q, t=trader, o=True))["data"]["perp"]["trades"]
    assert opened and all(t["isOpen"] for t in opened)
    assert {t["id"] for t in opened} <= {t["id"] for t in everything}
    page = (await gql_post(gateway, q, t=trader, l=2, off=1))["data"]["perp"]["trades"]
    assert page == [{"id": t["id"], "isOpen": t["isOpen"]} for t in everything[1:3]]
    desc = (await gql_post(gateway, q, t=trader, d=True, l=1000))["data"]["perp"]["trades"]
    assert [t["id"] for t in desc] == sorted((t["id"] for t in everything), reverse=True)


async def test_trade_by_id(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    q = "query($t: String!, $id: Int!) { perp { trade(id: $id, trader: $t) { id trader venue } } }"
    assert (await gql_post(gateway, q, t=trader, id=0))["data"]["perp"]["trade"] == {
        "id": 0, "trader": trader, "venue": "NIBIRU"}
    assert (await gql_post(gateway, q, t=trader, id=999_999))["data"]["perp"]["trade"] is None


async def test_large_collateral_comes_back_exactly(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = addresses.nibiru_address(random.Random("large-collateral"))
    r = await live_control.post("/inject", json={
        "venue": "NIBIRU", "trader": trader, "symbol": "BTC", "action": "open", "is_long": True,
        "size_usd": 4304456.77, "collateral_usd": 2377788.35})
    assert r.status_code == 200
    body = await gql_post(gateway, "query($t: String!) { perp { trades(where: {trader: $t}) { collateralAmount openCollateralAmount collateralUsd } } }", t=trader)
    assert "errors" not in body
    assert body["data"]["perp"]["trades"] == [{
        "collateralAmount": 2377788350000, "openCollateralAmount": 2377788350000, "collateralUsd": 2377788.35}]


async def test_trade_history_with_and_without_a_trader(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    mine = (await gql_post(gateway, "query($t: String!) { perp { tradeHistory(where: {trader: $t}, limit: 50) { id tradeChangeType trader venue market trade { id } } } }", t=trader))["data"]["perp"]["tradeHistory"]
    assert mine and all(h["trader"] == trader and h["venue"] == "NIBIRU" for h in mine)
    everyone = (await gql_post(gateway, "{ perp { tradeHistory(limit: 200) { trader } } }"))["data"]["perp"]["tradeHistory"]
    assert len({h["trader"] for h in everyone}) > 1, "without a trader, every trader's events (NIBIRU default)"


async def test_borrowing_and_borrowings_default_to_nibiru(gateway: httpx.AsyncClient) -> None:
    one = (await gql_post(gateway, "{ perp { borrowing(collateralId: 1, marketId: 1) { marketId venue price oiLong oiShort oiTotal baseToken { symbol } } } }"))["data"]["perp"]["borrowing"]
    assert one["venue"] == "NIBIRU" and one["baseToken"]["symbol"] == "BTC"
    assert one["oiTotal"] == one["oiLong"] + one["oiShort"]
    listed = (await gql_post(gateway, "{ perp { borrowings(where: {marketId: 2}) { marketId venue } } }"))["data"]["perp"]["borrowings"]
    assert listed and all(b == {"marketId": 2, "venue": "NIBIRU"} for b in listed)


async def test_bad_addresses_are_bad_user_input(gateway: httpx.AsyncClient) -> None:
    for bad in ("nibi1abc...", "0x123", "not an address"):
        body = await gql_post(gateway, "query($t: String!) { perp { trades(where: {trader: $t}) { id } } }", t=bad)
        assert codes(body) == ["BAD_USER_INPUT"], bad
        assert body["data"] is None
    body = await gql_post(gateway, "{ perp { trades(where: {trader: \"DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump\", venue: NIBIRU}) { id } } }")
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_bad_paging_is_bad_user_input(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    trader = await busiest(live_control, "NIBIRU")
    for args in ("limit: -1", "limit: 100000", "offset: -5"):
        body = await gql_post(gateway, f"query($t: String!) {{ perp {{ trades(where: {{trader: $t}}, {args}) {{ id }} }} }}", t=trader)
        assert codes(body) == ["BAD_USER_INPUT"], args


async def test_upstream_error_is_mapped_with_its_source(gateway: httpx.AsyncClient, live_control: httpx.AsyncClient) -> None:
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "error", "status": 500})
    body = await gql_post(gateway, "{ perp { borrowings { marketId } } }")
    assert codes(body) == ["UPSTREAM_ERROR"]
    assert body["errors"][0]["extensions"]["source"] == "nibiru"
    await live_control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
    body = await gql_post(gateway, "{ perp { borrowings { marketId } } }")
    assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
    assert body["errors"][0]["extensions"]["source"] == "nibiru"


async def test_syntax_and_validation_errors_have_codes_not_500s(gateway: httpx.AsyncClient) -> None:
    # application/json answers carry errors with HTTP 200 (GraphQL over HTTP allows it); never a 500
    r = await gateway.post("/graphql", json={"query": "{ perp { trades("})
    assert r.status_code < 500 and codes(r.json()) == ["GRAPHQL_PARSE_FAILED"]
    r = await gateway.post("/graphql", json={"query": "{ perp { nope } }"})
    assert r.status_code < 500 and codes(r.json()) == ["GRAPHQL_VALIDATION_FAILED"]
    r = await gateway.post("/graphql", json={"query": "query($t: String!) { perp { trades(where: {trader: $t}) { id } } }",
                                             "variables": {"t": 5}})
    assert codes(r.json()) == ["BAD_USER_INPUT"]
