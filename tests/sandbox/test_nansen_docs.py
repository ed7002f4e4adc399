"""Nansen simulator against its docs: the eight example requests, documented fields and JSON types.

The docs' example dates (2025-07, 2025-10) lie before the simulated history (8 days up to
2025-12-16T12:00Z), so the exact example bodies check status and shape, and in-range variants
check the rows' fields and types against the docs' example responses (tests/fixtures/nansen/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "nansen"
PATHS = {
    "profiler_perp_positions": "/api/v1/profiler/perp-positions",
    "profiler_perp_trades": "/api/v1/profiler/perp-trades",
    "perp_leaderboard": "/api/v1/perp-leaderboard",
    "perp_screener": "/api/v1/perp-screener",
    "tgm_perp_pnl_leaderboard": "/api/v1/tgm/perp-pnl-leaderboard",
    "smart_money_perp_trades": "/api/v1/smart-money/perp-trades",
    "tgm_perp_positions": "/api/v1/tgm/perp-positions",
    "tgm_perp_trades": "/api/v1/tgm/perp-trades",
}
LIST_ENDPOINTS = [name for name in PATHS if name != "profiler_perp_positions"]
DAYS = {"from": "2025-12-14", "to": "2025-12-15"}
DOC_TRADER_A = "0xa312114b5795dff9b8db50474dd57701aa78ad1e"
DOC_TRADER_B = "0x45d26f28196d226497130c4bac709d808fed4029"
NUMERIC = re.compile(r"^-?\d+\.\d+$")
INTEGER_FIELDS = {"block_number", "oid", "trader_count", "nof_trades", "smart_money_longs_count",
                  "smart_money_shorts_count", "leverage_value", "max_leverage_value"}


@pytest.fixture(autouse=True)
async def _no_rate_limits(control: httpx.AsyncClient) -> None:
    """These tests are about data, not throttling: the `control` fixture turns limits back on."""
    await control.post("/ratelimits", json={"enabled": False})


def doc_request(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / "requests" / f"{name}.json").read_text())  # type: ignore[no-any-return]


def doc_response(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"doc_{name}.json").read_text())  # type: ignore[no-any-return]


def jtype(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def assert_like(row: dict[str, Any], doc_row: dict[str, Any]) -> None:
    """Same field names as the docs' example row, each with the documented JSON type."""
    assert set(row) == set(doc_row)
    for key, value in row.items():
        assert jtype(value) == jtype(doc_row[key]), (key, value, doc_row[key])
        if key in INTEGER_FIELDS:
            assert isinstance(value, int) and not isinstance(value, bool), (key, value)


async def post(client: httpx.AsyncClient, name: str, body: dict[str, Any]) -> dict[str, Any]:
    resp = await client.post(PATHS[name], json=body)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/json"
    return resp.json()  # type: ignore[no-any-return]


# Each list endpoint's example request moved into the simulated history (the docs' own dates lie
# before it, so the example itself mostly answers an empty page: its rows prove nothing).
IN_RANGE: dict[str, dict[str, Any]] = {
    "profiler_perp_trades": {"date": {"from": "2025-12-08", "to": "2025-12-16"}},
    "perp_leaderboard": {"date": DAYS, "filters": None},
    "perp_screener": {"date": {"from": "2025-12-14T00:00:00Z", "to": "2025-12-15T23:59:59Z"}},
    "tgm_perp_pnl_leaderboard": {"date": DAYS, "filters": None},
    "smart_money_perp_trades": {},
    "tgm_perp_positions": {"filters": None},
    "tgm_perp_trades": {"date": DAYS},
}


def edited(name: str, edits: dict[str, Any]) -> dict[str, Any]:
    req = doc_request(name)
    for key, value in edits.items():
        if value is None:
            req.pop(key)
        else:
            req[key] = value
    return req


@pytest.mark.parametrize("name", LIST_ENDPOINTS)
async def test_doc_example_request_answers_200_with_documented_envelope(nansen: httpx.AsyncClient, name: str) -> None:
    body = await post(nansen, name, doc_request(name))  # the docs' exact request: status and envelope
    doc = doc_response(name)
    assert set(body) == set(doc) == {"data", "pagination"}
    assert isinstance(body["data"], list)
    assert body["pagination"]["page"] == 1 and body["pagination"]["per_page"] == 10
    assert isinstance(body["pagination"]["is_last_page"], bool)
    rows = (await post(nansen, name, edited(name, IN_RANGE[name])))["data"]  # its rows: in range
    assert rows, f"{name}: the example moved into the simulated history has rows"
    assert 0 < len(rows) <= 10
    doc_shapes = doc["data"]
    for row in rows:
        assert_like(row, next(d for d in doc_shapes if set(d) == set(row)))


async def test_doc_positions_example_returns_strings_as_documented(nansen: httpx.AsyncClient) -> None:
    body = await post(nansen, "profiler_perp_positions", doc_request("profiler_perp_positions"))
    doc = doc_response("profiler_perp_positions")["data"]
    data = body["data"]
    assert set(data) == set(doc)
    assert data["asset_positions"], "the docs' address holds losing positions worth over $1000"
    for entry in data["asset_positions"]:
        assert set(entry) == {"position", "position_type"} and entry["position_type"] == "oneWay"
        assert_like(entry["position"], doc["asset_positions"][0]["position"])
        pos = entry["position"]
        assert float(pos["position_value_usd"]) >= 1000 and float(pos["unrealized_pnl_usd"]) <= 0
        for key, value in pos.items():
            if isinstance(value, str) and key not in ("leverage_type", "token_symbol"):
                assert NUMERIC.match(value), (key, value)
    values = [float(e["position"]["position_value_usd"]) for e in data["asset_positions"]]
    assert values == sorted(values, reverse=True)
    for key, value in data.items():
        if key not in ("asset_positions", "timestamp"):
            assert isinstance(value, str) and NUMERIC.match(value), key
    assert isinstance(data["timestamp"], int) and data["timestamp"] > 1_700_000_000_000


async def test_positions_match_the_traders_open_positions(nansen: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    traders = (await control.get("/traders", params={"venue": "HYPERLIQUID"})).json()
    expected = next(t["open_positions"] for t in traders if t["address"] == DOC_TRADER_A)
    body = await post(nansen, "profiler_perp_positions", {"address": DOC_TRADER_A})
    positions = body["data"]["asset_positions"]
    assert len(positions) == expected > 0
    assert len({p["position"]["token_symbol"] for p in positions}) == len(positions)  # one per coin
    summary = body["data"]
    margin = sum(float(p["position"]["margin_used_usd"]) for p in positions)
    assert float(summary["margin_summary_total_margin_used_usd"]) == pytest.approx(margin, abs=1e-3)


async def test_doc_trades_example_shape_and_in_range_rows(nansen: httpx.AsyncClient) -> None:
    req = doc_request("profiler_perp_trades") | {"date": {"from": "2025-12-08", "to": "2025-12-16"}}
    body = await post(nansen, "profiler_perp_trades", req)
    doc_row = doc_response("profiler_perp_trades")["data"][0]
    assert body["data"], "the docs' address trades in the simulated history"
    for row in body["data"]:
        assert_like(row, doc_row)
        assert row["user"] == DOC_TRADER_B and row["fee_token_symbol"] == "USDC"
        assert 0.001 <= row["size"] <= 1000
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", row["timestamp"])
        assert row["action"] in ("Open", "Add", "Reduce", "Close", "Liquidation")
        assert re.fullmatch(r"0x[0-9a-f]{64}", row["transaction_hash"])
    stamps = [r["timestamp"] for r in body["data"]]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    ("name", "edits"),
    [
        ("perp_leaderboard", {"date": DAYS, "filters": None}),
        ("perp_screener", {"date": {"from": "2025-12-14T00:00:00Z", "to": "2025-12-15T23:59:59Z"}}),
        ("perp_screener", {"date": DAYS, "only_smart_money": True, "filters": None, "order_by": None}),
        ("tgm_perp_pnl_leaderboard", {"date": DAYS, "filters": None}),
        ("smart_money_perp_trades", {}),
        ("tgm_perp_positions", {"filters": None}),
        ("tgm_perp_trades", {"date": DAYS}),
    ],
)
async def test_in_range_rows_have_documented_fields_and_types(
    nansen: httpx.AsyncClient, name: str, edits: dict[str, Any]
) -> None:
    body = await post(nansen, name, edited(name, edits))
    assert body["data"], f"{name} has rows in the simulated history"
    shapes = doc_response(name)["data"]
    for row in body["data"]:
        matching = [d for d in shapes if set(d) == set(row)]
        assert matching, sorted(row)
        assert_like(row, matching[0])


async def test_smart_money_doc_example_rows_satisfy_its_filters(nansen: httpx.AsyncClient) -> None:
    body = await post(nansen, "smart_money_perp_trades", doc_request("smart_money_perp_trades"))
    assert body["data"]
    for row in body["data"]:
        assert row["trader_address_label"]
        assert (row["token_symbol"], row["side"], row["action"], row["type"]) == ("BTC", "Long", "Open", "Limit")
        assert 1000 <= row["value_usd"] <= 10000
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["block_timestamp"])


async def test_tgm_positions_doc_example_rows_satisfy_its_filters(nansen: httpx.AsyncClient) -> None:
    body = await post(nansen, "tgm_perp_positions", doc_request("tgm_perp_positions"))
    assert body["data"], "the docs' example filters match positions in the simulated market"
    for row in body["data"]:
        assert row["address_label"] in ("Smart HL Perps Trader", "Fund")
        assert row["side"] == "Long" and row["position_value_usd"] >= 10000 and row["upnl_usd"] >= 0
        assert re.fullmatch(r"\d+X", row["leverage"])


async def test_binance_doc_label_reaches_the_leaderboard(nansen: httpx.AsyncClient) -> None:
    body = await post(nansen, "perp_leaderboard",
                      {"date": {"from": "2025-12-08", "to": "2025-12-16"}, "pagination": {"page": 1, "per_page": 1000}})
    rows = {r["trader_address"]: r for r in body["data"]}
    assert rows["0x28c6c06298d514db089934071355e5743bf21d60"]["trader_address_label"] == "Binance 14 [0x28c6c0]"
    pnls = [r["total_pnl"] for r in body["data"]]
    assert pnls == sorted(pnls, reverse=True)
