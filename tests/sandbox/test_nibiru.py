"""Sai Keeper simulator over HTTP: the docs' example queries, paging, 64-bit Ints, errors."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.sandbox.test_nibiru_support import (
    CHANGE_TYPES,
    CLOSE_TYPES,
    data_of,
    doc,
    fresh_trader,
    inject,
    is_int,
    is_number,
    is_time,
    nibiru_trader,
    post,
    sai,
)

__all__ = ["nibiru_trader", "sai"]  # fixtures used below

TRADES_Q = """query T($trader: String!, $open: Boolean, $offset: Int) { perp { trades(where: {trader: $trader,
  isOpen: $open}, limit: 100, offset: $offset) { id isOpen collateralAmount openCollateralAmount leverage state { pnlPct } closeBlock { block } } } }"""


async def _trades(sai: httpx.AsyncClient, trader: str, is_open: bool | None = None) -> list[dict[str, Any]]:
    """Every trade, paged by 100 (the server's cap) as Sai Keeper's clients page."""
    trades: list[dict[str, Any]] = []
    while True:
        data = await data_of(sai, TRADES_Q, {"trader": trader, "open": is_open, "offset": len(trades)})
        trades.extend(data["perp"]["trades"])
        if len(data["perp"]["trades"]) < 100:
            return trades


def _check_block(block: dict[str, Any]) -> None:
    assert is_int(block["block"]) and block["block"] > 18_000_000
    assert is_time(block["block_ts"]), block


async def test_doc_get_trade_open_and_closed(sai: httpx.AsyncClient, nibiru_trader: str) -> None:
    example = doc("trade")
    trades = await _trades(sai, nibiru_trader)
    open_id = next(t["id"] for t in trades if t["isOpen"])
    closed_id = next(t["id"] for t in trades if not t["isOpen"])
    for trade_id in (open_id, closed_id):
        query = example["query"].replace("id: 42", f"id: {trade_id}").replace('"nibi1abc..."', json.dumps(nibiru_trader))
        trade = (await data_of(sai, query, operation_name="GetTrade"))["perp"]["trade"]
        assert trade["id"] == trade_id and is_int(trade["id"])
        assert isinstance(trade["isLong"], bool) and is_number(trade["leverage"]) and trade["leverage"] > 0
        assert is_int(trade["collateralAmount"]) and trade["collateralAmount"] > 0
        assert is_number(trade["openPrice"])
        borrowing = trade["perpBorrowing"]
        assert is_int(borrowing["marketId"]) and 1 <= borrowing["marketId"] <= 6
        assert borrowing["collateralToken"]["symbol"] in ("USDC", "USDT")
        assert isinstance(borrowing["baseToken"]["symbol"], str)
        _check_block(trade["openBlock"])
        if trade["isOpen"]:
            assert trade["closePrice"] is None and trade["closeBlock"] is None
            state = trade["state"]
            assert all(is_number(state[k]) for k in ("pnlCollateral", "pnlPct", "liquidationPrice", "positionValue"))
            # a ratio of the collateral (not percent), both amounts in micro-units
            assert state["pnlPct"] == pytest.approx(state["pnlCollateral"] / trade["collateralAmount"], abs=1e-6)
        else:
            assert is_number(trade["closePrice"]) and trade["state"] is None
            _check_block(trade["closeBlock"])
            assert trade["closeBlock"]["block"] >= trade["openBlock"]["block"]


async def test_unknown_trade_is_an_error_as_on_the_live_server(sai: httpx.AsyncClient) -> None:
    # the docs promise null, but the live server raises "perp trade not found" (sai-mcp manage.ts)
    query = doc("trade")["query"]  # the docs' own placeholder trader does not exist
    res = await post(sai, query)
    assert res.status_code == 200
    body = res.json()
    assert body["data"] == {"perp": {"trade": None}}
    assert body["errors"] == [{"message": "perp trade not found", "path": ["perp", "trade"]}]


async def test_doc_get_open_positions(sai: httpx.AsyncClient, nibiru_trader: str) -> None:
    example = doc("trades_open_positions")
    trades = (await data_of(sai, example["query"], {"trader": nibiru_trader}))["perp"]["trades"]
    expected = [t["id"] for t in await _trades(sai, nibiru_trader, True)]
    assert [t["id"] for t in trades] == sorted(expected, reverse=True)[:50]  # order_desc: true
    for trade in trades:
        assert is_int(trade["collateralAmount"]) and is_number(trade["openPrice"])
        assert trade["state"] is not None and is_number(trade["state"]["liquidationPrice"])
        assert trade["perpBorrowing"]["baseToken"]["symbol"] in ("BTC", "ETH", "SOL", "ATOM", "NIBI", "TIA")


async def test_doc_get_btc_trades_fails_as_on_the_live_server(sai: httpx.AsyncClient, nibiru_trader: str) -> None:
    # the docs' example filters on perpMarketId, which the live server fails in SQL (sai-mcp perp.ts);
    # the gateway answers it (tests/sources/nibiru/test_quirks.py)
    res = await post(sai, doc("trades_by_market")["query"], {"trader": nibiru_trader})
    assert res.status_code == 200
    assert res.json() == {"errors": [{"message": "ERROR: column pt.market_id does not exist (SQLSTATE 42703)",
                                      "path": ["perp", "trades"]}], "data": None}


async def test_doc_get_trade_history(sai: httpx.AsyncClient, nibiru_trader: str) -> None:
    items = (await data_of(sai, doc("trade_history")["query"], {"trader": nibiru_trader}))["perp"]["tradeHistory"]
    assert items and len(items) <= 50
    ids = [i["id"] for i in items]
    assert ids == sorted(ids, reverse=True) and all(is_int(i) for i in ids)
    for item in items:
        assert item["tradeChangeType"] in CHANGE_TYPES
        assert is_int(item["block"]["block"]) and is_time(item["block"]["block_ts"])
        assert is_int(item["trade"]["id"]) and is_number(item["trade"]["leverage"])
        if item["tradeChangeType"] in CLOSE_TYPES:
            assert is_number(item["realizedPnlCollateral"]) and is_number(item["realizedPnlPct"])
        else:
            assert item["realizedPnlCollateral"] is None and item["realizedPnlPct"] is None


async def test_trade_history_without_where_pages_through_traders(sai: httpx.AsyncClient) -> None:
    query = """query($offset: Int) { perp { tradeHistory(limit: 50, offset: $offset) {
      id tradeChangeType txHash evmTxHash trade { trader id } } } }"""
    pages = [(await data_of(sai, query, {"offset": off}))["perp"]["tradeHistory"] for off in (0, 50, 100)]
    ids = [item["id"] for page in pages for item in page]
    assert ids == list(range(1, 151))  # dense, ascending, no overlap between pages
    traders = {item["trade"]["trader"] for page in pages for item in page}
    assert len(traders) > 5 and all(t.startswith("nibi1") for t in traders)
    for item in pages[0]:
        assert item["evmTxHash"].startswith("0x") and len(item["evmTxHash"]) == 66
        assert len(item["txHash"]) == 64


async def test_trade_history_filter_by_change_type(sai: httpx.AsyncClient) -> None:
    query = """{ perp { tradeHistory(where: {tradeChangeType: [position_liquidated]}, limit: 5) {
      tradeChangeType realizedPnlPct trade { isOpen } } } }"""
    items = (await data_of(sai, query))["perp"]["tradeHistory"]
    assert items and all(i["tradeChangeType"] == "position_liquidated" for i in items)
    assert all(i["realizedPnlPct"] == -1 and i["trade"]["isOpen"] is False for i in items)


async def test_doc_get_market_info(sai: httpx.AsyncClient) -> None:
    borrowing = (await data_of(sai, doc("borrowing")["query"]))["perp"]["borrowing"]
    assert borrowing["marketId"] == 1 and borrowing["baseToken"] == {"symbol": "BTC", "name": "Bitcoin"}
    assert borrowing["quoteToken"]["symbol"] == "USD" and borrowing["collateralToken"]["symbol"] == "USDC"
    for key in ("oiLong", "oiShort", "oiMax", "minPositionSizeUSD"):
        assert is_int(borrowing[key]), key
    assert borrowing["oiMax"] == 80_000_000 * 1_000_000 > 2**31  # 64-bit Int on the wire
    for key in ("price", "feesPerHourLong", "feesPerHourShort", "openFeePct", "closeFeePct",
                "triggerOrderFeePct", "maxLeverage", "minLeverage"):
        assert is_number(borrowing[key]), key
    assert 0 < borrowing["openFeePct"] < 0.01 and borrowing["maxLeverage"] == 100
    assert borrowing["visible"] is True


async def test_borrowing_open_interest_counts_its_collateral_only(sai: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    query = "query($c: Int!) { perp { borrowing(collateralId: $c, marketId: 2) { oiLong } } }"
    before = {c: (await data_of(sai, query, {"c": c}))["perp"]["borrowing"]["oiLong"] for c in (1, 2)}
    events = await inject(control, trader=fresh_trader("oi"), symbol="ETH", action="open", is_long=True,
                          size_usd=12_345.67, collateral_usd=1_000)
    cid = events[0]["collateral_id"]
    after = {c: (await data_of(sai, query, {"c": c}))["perp"]["borrowing"]["oiLong"] for c in (1, 2)}
    assert after[cid] - before[cid] == 12_345_670_000
    assert after[3 - cid] == before[3 - cid]
    assert (await data_of(sai, "{ perp { borrowing(collateralId: 9, marketId: 1) { marketId } } }"))["perp"]["borrowing"] is None


async def test_doc_list_markets(sai: httpx.AsyncClient) -> None:
    rows = (await data_of(sai, doc("borrowings")["query"]))["perp"]["borrowings"]
    assert len(rows) == 12  # 6 markets x 2 collaterals, fewer than the example's limit 20
    names = [r["baseToken"]["name"] for r in rows]
    assert names == sorted(names, key=str.casefold)  # order_by: base_token_name
    assert {(r["marketId"], r["collateralToken"]["symbol"]) for r in rows} == {
        (m, c) for m in range(1, 7) for c in ("USDC", "USDT")}
    assert [r["visible"] for r in rows if r["baseToken"]["symbol"] == "TIA"] == [False, False]
    assert all(isinstance(r["baseToken"]["logoUrl"], str) for r in rows)


async def test_borrowings_filter_and_paging(sai: httpx.AsyncClient) -> None:
    query = "{ perp { borrowings(where: {collateralId: 2}, offset: 1, limit: 2, order_desc: true) { marketId collateralToken { symbol } } } }"
    rows = (await data_of(sai, query))["perp"]["borrowings"]
    assert rows == [{"marketId": 5, "collateralToken": {"symbol": "USDT"}},
                    {"marketId": 4, "collateralToken": {"symbol": "USDT"}}]


async def test_large_collateral_is_an_exact_64_bit_int(sai: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    trader = fresh_trader("whale")
    await inject(control, trader=trader, symbol="BTC", action="open", is_long=True,
                 size_usd=4_755_576.70, collateral_usd=2_377_788.35)
    res = await post(sai, TRADES_Q, {"trader": trader})
    assert res.status_code == 200
    trade = res.json()["data"]["perp"]["trades"][0]
    assert trade["collateralAmount"] == 2_377_788_350_000 and is_int(trade["collateralAmount"])
    assert trade["openCollateralAmount"] == 2_377_788_350_000
    assert '"collateralAmount":2377788350000,' in res.text  # plain digits, not a float
    assert '"leverage":2,' in res.text  # gqlgen's %g: a whole Float loses its decimal point


async def test_trades_filters(sai: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    trader = fresh_trader("filters")
    for symbol in ("SOL", "ATOM", "SOL"):
        await inject(control, trader=trader, symbol=symbol, action="open", size_usd=1000, collateral_usd=100)
    await inject(control, trader=trader, symbol="ATOM", action="close")
    query = """query($t: String!, $m: Int, $o: Boolean) { perp { trades(where: {trader: $t, perpMarketId: $m, isOpen: $o}) {
      id isOpen perpBorrowing { marketId } } } }"""
    res = await post(sai, query, {"t": trader, "m": 3})  # the live server's broken filter (sai-mcp perp.ts)
    assert res.status_code == 200 and res.json()["data"] is None
    assert res.json()["errors"][0]["message"] == "ERROR: column pt.market_id does not exist (SQLSTATE 42703)"
    closed = (await data_of(sai, query, {"t": trader, "o": False}))["perp"]["trades"]
    assert closed == [{"id": 1, "isOpen": False, "perpBorrowing": {"marketId": 4}}]


async def test_limit_is_clamped_to_100(sai: httpx.AsyncClient) -> None:
    # Sai-PnL: "batch size 100 (API hard limit)"; a larger limit is clamped silently, not refused
    items = (await data_of(sai, "{ perp { tradeHistory(limit: 1000) { id } } }"))["perp"]["tradeHistory"]
    assert [i["id"] for i in items] == list(range(1, 101))
    second = (await data_of(sai, "{ perp { tradeHistory(limit: 1000, offset: 100) { id } } }"))["perp"]["tradeHistory"]
    assert [i["id"] for i in second] == list(range(101, 201))


async def test_validation_error_is_422_in_gqlgen_shape(sai: httpx.AsyncClient) -> None:
    res = await post(sai, "{ perp { borrowing(collateralId: 1, marketId: 1) { nope } } }")
    assert res.status_code == 422
    body = res.json()
    assert list(body) == ["errors", "data"] and body["data"] is None
    (error,) = body["errors"]
    assert list(error) == ["message", "locations", "extensions"]
    assert error["message"] == 'Cannot query field "nope" on type "PerpBorrowing".'
    assert error["locations"] == [{"line": 1, "column": 52}]
    assert error["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}


async def test_syntax_error_is_422_parse_failed(sai: httpx.AsyncClient) -> None:
    res = await post(sai, "{ perp {")
    assert res.status_code == 422
    (error,) = res.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED" and error["locations"][0]["line"] == 1
    assert "\\u003cEOF\\u003e" in res.text  # encoding/json escapes < and >


async def test_variable_errors_are_422(sai: httpx.AsyncClient) -> None:
    query = "query($t: String!, $id: Int!) { perp { trade(id: $id, trader: $t) { id } } }"
    missing = await post(sai, query, {"id": 1})
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"message": "must be defined", "path": ["variable", "t"],
                                         "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]
    wrong = await post(sai, query, {"t": "x", "id": "1"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["path"] == ["variable", "id"]
    huge = await post(sai, query, {"t": "x", "id": 2**40})
    assert huge.status_code == 200 and huge.json()["data"] == {"perp": {"trade": None}}  # a 64-bit id is accepted


async def test_resolver_error_is_200_with_path(sai: httpx.AsyncClient) -> None:
    res = await post(sai, '{ perp { trades(where: {trader: "x"}, limit: -1) { id } } }')
    assert res.status_code == 200
    assert res.json() == {"errors": [{"message": "LIMIT must not be negative", "path": ["perp", "trades"]}],
                          "data": None}


async def test_http_transports(sai: httpx.AsyncClient) -> None:
    got = await sai.get("/query", params={"query": "{ perp { borrowings(limit: 1) { marketId } } }"})
    assert got.status_code == 200 and got.json() == {"data": {"perp": {"borrowings": [{"marketId": 1}]}}}
    sub = await sai.get("/query", params={"query": "subscription { perpBorrowings { marketId } }"})
    assert sub.status_code == 406
    bad_vars = await sai.get("/query", params={"query": "{ perp { borrowings { marketId } } }", "variables": "{"})
    assert bad_vars.status_code == 400 and bad_vars.json()["errors"][0]["message"] == "variables could not be decoded"
    text = await sai.post("/query", content=b"{}", headers={"content-type": "text/plain"})
    assert text.status_code == 400 and text.json() == {"errors": [{"message": "transport not supported"}], "data": None}
    broken = await sai.post("/query", content=b"{x", headers={"content-type": "application/json"})
    assert broken.status_code == 400
    assert broken.json()["errors"][0]["message"].startswith("json request body could not be decoded: ")
    options = await sai.options("/query")
    assert options.status_code == 200 and options.headers["allow"] == "OPTIONS, GET, POST"
    empty = await post(sai, "")
    assert empty.status_code == 422 and empty.json()["errors"][0]["message"] == "no operation provided"
