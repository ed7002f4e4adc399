"""Nansen simulator queries: filters, order_by, pagination, consistency, and injected fills."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

TRADER_B = "0x45d26f28196d226497130c4bac709d808fed4029"
DAYS = {"from": "2025-12-10", "to": "2025-12-15"}
ONE_DAY = {"from": "2025-12-14", "to": "2025-12-14"}
ALL_TIME = {"from": "2025-01-01", "to": "2030-12-31"}


@pytest.fixture(autouse=True)
async def _no_rate_limits(control: httpx.AsyncClient) -> None:
    """These tests are about data, not throttling: the `control` fixture turns limits back on."""
    await control.post("/ratelimits", json={"enabled": False})


async def rows(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    resp = await client.post(path, json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


def trades_body(**extra: Any) -> dict[str, Any]:
    return {"address": TRADER_B, "date": DAYS, "pagination": {"page": 1, "per_page": 1000}, **extra}


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        ({"side": "Short"}, lambda r: r["side"] == "Short"),
        ({"action": "Close/Reduce"}, lambda r: r["action"] in ("Close", "Reduce")),
        ({"action": "Open/Add"}, lambda r: r["action"] in ("Open", "Add")),
        ({"token_symbol": "btc"}, lambda r: r["token_symbol"] == "BTC"),
        ({"value_usd": {"min": 50_000}}, lambda r: r["value_usd"] >= 50_000),
        ({"size": {"min": 0.001, "max": 1000}}, lambda r: 0.001 <= r["size"] <= 1000),
        ({"closed_pnl": {"max": 0}}, lambda r: r["closed_pnl"] <= 0),
        ({"crossed": False}, lambda r: r["crossed"] is False),
    ],
)
async def test_profiler_trade_filters_keep_only_matching_rows(
    nansen: httpx.AsyncClient, filters: dict[str, Any], check: Any
) -> None:
    everything = await rows(nansen, "/api/v1/profiler/perp-trades", trades_body())
    kept = await rows(nansen, "/api/v1/profiler/perp-trades", trades_body(filters=filters))
    assert kept and all(check(r) for r in kept)
    assert len(kept) == sum(1 for r in everything if check(r))


async def test_profiler_trades_order_by_with_tie_breaker(nansen: httpx.AsyncClient) -> None:
    order = [{"field": "value_usd", "direction": "ASC"}]
    got = await rows(nansen, "/api/v1/profiler/perp-trades", trades_body(order_by=order))
    values = [r["value_usd"] for r in got]
    assert len(values) > 5 and values == sorted(values)
    order = [{"field": "closed_pnl", "direction": "DESC"}, {"field": "timestamp", "direction": "ASC"}]
    got = await rows(nansen, "/api/v1/profiler/perp-trades", trades_body(order_by=order))
    keys = [(-r["closed_pnl"], r["timestamp"]) for r in got]
    assert keys == sorted(keys)


async def test_pagination_pages_partition_the_list_and_is_last_page_flips(nansen: httpx.AsyncClient) -> None:
    path = "/api/v1/profiler/perp-trades"
    everything = await rows(nansen, path, trades_body())
    per_page = 7
    pages = -(-len(everything) // per_page)
    assert pages >= 2
    seen = []
    for page in range(1, pages + 1):
        resp = await nansen.post(path, json=trades_body(pagination={"page": page, "per_page": per_page}))
        body = resp.json()
        assert body["pagination"] == {"page": page, "per_page": per_page, "is_last_page": page == pages}
        seen.extend(body["data"])
    assert seen == everything
    beyond = (await nansen.post(path, json=trades_body(pagination={"page": pages + 1, "per_page": per_page}))).json()
    assert beyond["data"] == [] and beyond["pagination"]["is_last_page"] is True


async def test_pagination_defaults_to_page_1_of_10(nansen: httpx.AsyncClient) -> None:
    body = (await nansen.post("/api/v1/perp-leaderboard", json={"date": DAYS})).json()
    assert body["pagination"] == {"page": 1, "per_page": 10, "is_last_page": False}
    assert len(body["data"]) == 10


async def test_leaderboard_filters_and_ascending_order(nansen: httpx.AsyncClient) -> None:
    body = {
        "date": DAYS, "pagination": {"page": 1, "per_page": 1000},
        "filters": {"total_pnl": {"min": 0}, "account_value": {"min": 10_000}, "trader_address_label": "smart"},
        "order_by": [{"field": "roi", "direction": "ASC"}],
    }
    got = await rows(nansen, "/api/v1/perp-leaderboard", body)
    assert got
    assert all(r["total_pnl"] >= 0 and r["account_value"] >= 10_000 for r in got)
    assert all("smart" in r["trader_address_label"].lower() for r in got)
    assert [r["roi"] for r in got] == sorted(r["roi"] for r in got)


async def test_leaderboard_pnl_equals_the_traders_closed_pnl(nansen: httpx.AsyncClient) -> None:
    board = await rows(nansen, "/api/v1/perp-leaderboard", {"date": DAYS, "pagination": {"page": 1, "per_page": 1000}})
    entry = next(r for r in board if r["trader_address"] == TRADER_B)
    trades = await rows(nansen, "/api/v1/profiler/perp-trades", trades_body())
    assert entry["total_pnl"] == pytest.approx(sum(t["closed_pnl"] for t in trades), abs=0.05)


async def test_screener_volume_is_the_sum_of_token_trades(nansen: httpx.AsyncClient) -> None:
    screen = await rows(nansen, "/api/v1/perp-screener",
                        {"date": ONE_DAY, "filters": {"token_symbol": "ETH"}})
    assert [r["token_symbol"] for r in screen] == ["ETH"]
    trades = await rows(nansen, "/api/v1/tgm/perp-trades",
                        {"token_symbol": "ETH", "date": ONE_DAY, "pagination": {"page": 1, "per_page": 1000}})
    assert 0 < len(trades) < 1000
    eth = screen[0]
    assert eth["volume"] == pytest.approx(sum(t["value_usd"] for t in trades), rel=1e-6, abs=1)
    assert eth["buy_sell_pressure"] == pytest.approx(eth["buy_volume"] - eth["sell_volume"], abs=0.02)
    assert eth["trader_count"] == len({t["trader_address"] for t in trades})


async def test_screener_smart_money_view_and_ordering(nansen: httpx.AsyncClient) -> None:
    body = {"date": DAYS, "filters": {"smart_money_volume": {"min": 1}},
            "order_by": [{"field": "smart_money_volume", "direction": "ASC"}]}
    got = await rows(nansen, "/api/v1/perp-screener", body)
    assert got and all("volume" not in r and r["smart_money_volume"] >= 1 for r in got)
    assert [r["smart_money_volume"] for r in got] == sorted(r["smart_money_volume"] for r in got)
    assert all(r["current_smart_money_position_shorts_usd"] <= 0 for r in got)


async def test_pnl_leaderboard_is_per_token(nansen: httpx.AsyncClient) -> None:
    body = {"token_symbol": "SOL", "date": DAYS, "pagination": {"page": 1, "per_page": 1000},
            "order_by": [{"field": "nof_trades", "direction": "DESC"}]}
    got = await rows(nansen, "/api/v1/tgm/perp-pnl-leaderboard", body)
    assert got
    assert [r["nof_trades"] for r in got] == sorted((r["nof_trades"] for r in got), reverse=True)
    for r in got:
        assert r["pnl_usd_total"] == pytest.approx(r["pnl_usd_realised"] + r["pnl_usd_unrealised"], abs=0.02)
        assert 0 <= r["still_holding_balance_ratio"] <= 1
    unknown = await rows(nansen, "/api/v1/tgm/perp-pnl-leaderboard", {"token_symbol": "NOPE", "date": DAYS})
    assert unknown == []


async def test_smart_money_trades_filters(nansen: httpx.AsyncClient) -> None:
    body = {"filters": {"side": "Short", "type": "Market", "token_symbol": "ETH"},
            "pagination": {"page": 1, "per_page": 50}}
    got = await rows(nansen, "/api/v1/smart-money/perp-trades", body)
    assert got and all((r["side"], r["type"], r["token_symbol"]) == ("Short", "Market", "ETH") for r in got)
    assert all(r["trader_address_label"] for r in got)
    opened = await rows(nansen, "/api/v1/smart-money/perp-trades", {"only_new_positions": True})
    assert opened and {r["action"] for r in opened} == {"Open"}
    reduce = await rows(nansen, "/api/v1/smart-money/perp-trades", {"filters": {"action": "Sell - Reduce Long"}})
    assert reduce and all(r["side"] == "Long" and r["action"] in ("Reduce", "Close") for r in reduce)


async def test_tgm_positions_label_type_and_side(nansen: httpx.AsyncClient) -> None:
    everyone = await rows(nansen, "/api/v1/tgm/perp-positions",
                          {"token_symbol": "BTC", "pagination": {"page": 1, "per_page": 1000}})
    smart = await rows(nansen, "/api/v1/tgm/perp-positions",
                       {"token_symbol": "BTC", "label_type": "smart_money", "filters": {"side": ["Short"]},
                        "pagination": {"page": 1, "per_page": 1000}})
    assert everyone and len(smart) <= len(everyone)
    assert all(r["address_label"] and r["side"] == "Short" and r["position_size"] < 0 for r in smart)
    values = [r["position_value_usd"] for r in everyone]
    assert values == sorted(values, reverse=True)


async def test_tgm_trades_filters(nansen: httpx.AsyncClient) -> None:
    body = {"token_symbol": "SOL", "date": DAYS, "filters": {"order_type": ["LIMIT"], "action": ["Open", "Close"]},
            "pagination": {"page": 1, "per_page": 100}}
    got = await rows(nansen, "/api/v1/tgm/perp-trades", body)
    assert got and all(r["type"] == "LIMIT" and r["action"] in ("Open", "Close") for r in got)
    assert all(r["token_symbol"] == "SOL" for r in got)


async def inject(control: httpx.AsyncClient, trader: str, action: str, **kw: Any) -> dict[str, Any]:
    resp = await control.post("/inject", json={"venue": "HYPERLIQUID", "trader": trader, "symbol": "ETH",
                                               "action": action, **kw})
    assert resp.status_code == 200, resp.text
    return resp.json()["events"][-1]  # type: ignore[no-any-return]


async def test_injected_fills_appear_in_trades_and_positions(nansen: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    trader = "0x" + secrets.token_hex(20)
    opened = await inject(control, trader, "open", is_long=False, size_usd=20_000, collateral_usd=4_000)
    fills = await rows(nansen, "/api/v1/profiler/perp-trades", {"address": trader, "date": ALL_TIME})
    assert len(fills) == 1
    fill = fills[0]
    assert (fill["action"], fill["side"], fill["start_position"], fill["user"]) == ("Open", "Short", 0.0, trader)
    assert fill["size"] == pytest.approx(20_000 / opened["price"], rel=1e-6)
    assert fill["value_usd"] == pytest.approx(20_000, abs=0.05)
    assert fill["transaction_hash"] == opened["tx"] and fill["oid"] == opened["order_id"]

    summary = (await nansen.post("/api/v1/profiler/perp-positions", json={"address": trader})).json()["data"]
    [entry] = summary["asset_positions"]
    assert entry["position"]["token_symbol"] == "ETH"
    assert float(entry["position"]["size"]) == pytest.approx(-fill["size"], rel=1e-6)
    assert entry["position"]["leverage_value"] == 5

    await inject(control, trader, "increase", size_usd=10_000)
    await inject(control, trader, "close")
    fills = await rows(nansen, "/api/v1/profiler/perp-trades",
                       {"address": trader, "date": ALL_TIME, "order_by": [{"field": "timestamp", "direction": "ASC"}]})
    assert [(f["action"], f["side"]) for f in fills][-2:] == [("Add", "Short"), ("Close", "Short")]
    add, close = fills[-2], fills[-1]
    assert add["start_position"] == pytest.approx(-fill["size"], rel=1e-6)
    assert close["size"] == pytest.approx(-close["start_position"], rel=1e-6)
    after = (await nansen.post("/api/v1/profiler/perp-positions", json={"address": trader})).json()["data"]
    assert after["asset_positions"] == []


async def test_injected_liquidation_and_token_views(nansen: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    trader = "0x" + secrets.token_hex(20)
    await inject(control, trader, "open", is_long=True, size_usd=50_000, collateral_usd=5_000)
    positions = await rows(nansen, "/api/v1/tgm/perp-positions",
                           {"token_symbol": "ETH", "pagination": {"page": 1, "per_page": 1000}})
    mine = [p for p in positions if p["address"] == trader]
    assert len(mine) == 1 and mine[0]["side"] == "Long" and mine[0]["leverage"] == "10X"
    await inject(control, trader, "liquidation")
    fills = await rows(nansen, "/api/v1/profiler/perp-trades",
                       {"address": trader, "date": ALL_TIME, "filters": {"action": "Liquidation"}})
    assert [(f["action"], f["side"]) for f in fills] == [("Liquidation", "Long")]
    assert fills[0]["closed_pnl"] == pytest.approx(-5_000, abs=0.01)
    token_trades = await rows(nansen, "/api/v1/tgm/perp-trades",
                              {"token_symbol": "ETH", "date": ALL_TIME, "filters": {"action": ["Liquidation"]},
                               "pagination": {"page": 1, "per_page": 1000}})
    assert any(t["trader_address"] == trader for t in token_trades)


async def test_a_bare_to_date_covers_its_whole_day(nansen: httpx.AsyncClient) -> None:
    day = await rows(nansen, "/api/v1/profiler/perp-trades",
                     trades_body(date={"from": "2025-12-15", "to": "2025-12-15"}))
    iso = await rows(nansen, "/api/v1/profiler/perp-trades",
                     trades_body(date={"from": "2025-12-15T00:00:00Z", "to": "2025-12-15T23:59:59Z"}))
    assert day and day == iso
    assert all(r["timestamp"].startswith("2025-12-15") for r in day)
    assert any(r["timestamp"] >= "2025-12-15T12" for r in day)
