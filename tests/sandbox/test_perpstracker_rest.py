"""PerpsTracker simulator REST: the docs' example requests answer with the documented fields and
JSON types, plus the wire quirks (string numbers, side codes, time units) and errors."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest

from tests.sandbox.test_perpstracker_support import (
    DOC_WALLET,
    DOC_WHALE_KEY,
    ELITE,
    PRO,
    assert_error_body,
    assert_shape,
    doc,
    fresh_wallet,
)

W = DOC_WALLET
P = "/perpetuals"
# (doc fixture, the docs' example request, must the sim's lists be non-empty to check element types).
# Endpoints showing one trader's open positions may be empty if the market moved on; those are
# checked again on injected data in test_perpstracker_watchlist.py.
DOC_EXAMPLES = [
    ("prices", "/prices", True),
    ("market_overview", f"{P}/market/overview?timeframe=1d", True),
    ("leaderboard_periods", f"{P}/leaderboard/periods", True),
    ("leaderboard_fixed", f"{P}/leaderboard/fixed/monthly?month=2025-11", False),  # before the history
    ("leaderboard_fixed", f"{P}/leaderboard/fixed/monthly?month=2025-12", True),
    ("leaderboard_fixed", f"{P}/leaderboard/fixed/weekly?week=2025-W50", True),
    ("leaderboard_fixed", f"{P}/leaderboard/fixed/daily?date=2025-12-15", True),
    ("recent_activity", f"{P}/positions/recent-activity?limit=5", True),
    ("leaderboard", f"{P}/leaderboard/24h?limit=10", True),
    ("live_trades", f"{P}/live-trades?leaderboard=24h&rank=10&limit=50", True),
    ("chart_positions", f"{P}/chart-positions?market=SOL&source=watchlist", False),
    ("chart_positions", f"{P}/chart-positions?market=BTC&source=leaderboard&maxRank=25", True),
    ("trader", f"{P}/trader/{W}", True),
    ("consistent_traders", f"{P}/consistent-traders?limit=100", True),
    ("new_traders", f"{P}/new-traders?period=daily&limit=10", False),
    ("whale_trades", f"{P}/whale-trades?min_size=100000&limit=10", True),
    ("liquidations", f"{P}/liquidations?limit=10&market=SOL", True),
    ("active_traders", f"{P}/active-traders?timeframe=24h&sort=24h&limit=20", True),
    ("snapshot_frequency", f"{P}/snapshot-frequency?limit=20&min_appearances=5", True),
    ("trader_trades", f"{P}/trader/{W}/trades?limit=20", True),
    ("trader_positions", f"{P}/trader/{W}/positions", False),
    ("trader_history", f"{P}/trader/{W}/history?start=0&limit=20", True),
    ("compare", f"{P}/compare?wallets={W},AePSAg93xDsQqY8Fnv5KzMpR7tNwLhG4vJkDctyYMZ8n&timeframe=30d", True),
    ("positions_all", f"{P}/positions/all?market=SOL&limit=50", True),
    ("positions_summary", f"{P}/positions/summary", True),
    ("watchlist", f"{P}/watchlist?timeframe=7d", True),
    ("watchlist_check", f"{P}/watchlist/check/{W}", True),
    ("watchlist_alerts_trades", f"{P}/watchlist/alerts/trades?since=1734302400000", True),
    ("watchlist_positions_summary", f"{P}/watchlist/positions-summary", False),
    ("watchlist_simulation_settings", f"{P}/watchlist/simulation/settings", True),
    ("watchlist_positions_with_simulation", f"{P}/watchlist/positions-with-simulation", False),
    ("watchlist_backtest", f"{P}/watchlist/backtest?wallet={W}&days=7", True),
    ("account", f"{P}/account", True),
    ("trading_markets", "/trading/markets", True),
    ("trading_positions", f"/trading/positions?wallet={W}", False),
    ("trading_trade_history", f"/trading/trade-history?wallet={W}", True),
    ("trading_fee_info", "/trading/fee-info", True),
    ("trading_pool_info", "/trading/pool-info", True),
    ("trading_expired_orders", f"/trading/expired-orders?wallet={W}", False),
    ("trading_collateral_limits", f"/trading/collateral-limits?positionPubkey={DOC_WHALE_KEY}", True),
]
ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
ISO_S = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _lists(value: object) -> list[list[object]]:
    if isinstance(value, list):
        return [value, *(x for v in value for x in _lists(v))]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _lists(v)]
    return []


@pytest.fixture
async def no_limits(control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": False})


@pytest.mark.parametrize(("name", "url", "nonempty"), DOC_EXAMPLES, ids=[u for _, u, _ in DOC_EXAMPLES])
async def test_doc_example_request_answers_documented_shape(
    perpstracker: httpx.AsyncClient, no_limits: None, name: str, url: str, nonempty: bool
) -> None:
    resp = await perpstracker.get(url)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert_shape(doc(name), body)
    if nonempty:
        documented = [len(x) for x in _lists(doc(name))]
        assert all(_lists(body)) or not any(documented), f"empty list in {body}"


async def test_missing_or_wrong_key_is_401_with_documented_body(sandbox_url: str) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api") as client:
        for headers in ({}, {"Authorization": "Bearer not-a-key"}, {"Authorization": "Basic abc"}):
            resp = await client.get(f"{P}/leaderboard/24h", headers=headers)
            assert resp.status_code == 401
            assert_error_body(resp.json(), "UNAUTHORIZED")


async def test_bad_timeframe_is_400_as_in_the_docs(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    resp = await perpstracker.get(f"{P}/leaderboard/1y")
    assert resp.status_code == 400
    body = resp.json()
    assert_error_body(body, "INVALID_PARAMETER")
    documented = doc("error")
    assert (body["error"], body["details"]) == (documented["error"], documented["details"])
    assert ISO_S.match(body["timestamp"])
    for url in (f"{P}/market/overview?timeframe=24h", f"{P}/compare?wallets={W}&timeframe=2d",
                f"{P}/live-trades?leaderboard=1h", f"{P}/leaderboard/fixed/yearly"):
        resp = await perpstracker.get(url)
        assert resp.status_code == 400, url
        assert_error_body(resp.json(), "INVALID_PARAMETER")


async def test_bad_parameters_are_400_and_out_of_range_numbers_are_clamped(
    perpstracker: httpx.AsyncClient, no_limits: None
) -> None:
    six = ",".join(fresh_wallet(f"cmp{i}") for i in range(6))
    assert (await perpstracker.get(f"{P}/compare?wallets={six}")).status_code == 400
    assert (await perpstracker.get(f"{P}/leaderboard/24h?limit=ten")).status_code == 400
    assert (await perpstracker.get(f"{P}/trader/not-a-wallet/positions")).status_code == 400
    assert (await perpstracker.get(f"{P}/leaderboard/fixed/monthly?month=2025-13")).status_code == 400
    trades = (await perpstracker.get(f"{P}/live-trades?limit=5000")).json()
    assert trades["count"] == len(trades["trades"]) == 500  # documented max
    whales = (await perpstracker.get(f"{P}/whale-trades?min_size=10")).json()
    assert whales["min_size"] == 10000 and all(t["size_usd"] >= 10000 for t in whales["trades"])


async def test_live_trades_wire_quirks(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    trades = (await perpstracker.get(f"{P}/live-trades?limit=500")).json()["trades"]
    kinds = {t["trade_classification"] for t in trades}
    assert {"OPEN", "INCREASE", "REDUCE", "CLOSE"} <= kinds
    for t in trades:
        assert re.fullmatch(r"-?\d+", t["collected_fee"]) and re.fullmatch(r"-?\d+", t["pnl_delta"])
        assert t["side"] == ("1" if t["is_long"] == 1 else "2") and t["is_long"] in (0, 1)
        assert t["token"] in ("WSOL", "WETH", "WBTC")
        assert ISO_MS.match(t["timestamp"])
        if t["trade_classification"] in ("REDUCE", "CLOSE"):
            assert t["leverage"] is None and t["collateral_usd"] == 0
        if t["trade_classification"] in ("OPEN", "INCREASE"):
            assert is_positive(t["leverage"]) and is_positive(t["collateral_usd"])
    assert any(t["pnl_delta"].startswith("-") for t in trades)


def is_positive(v: object) -> bool:
    return isinstance(v, int | float) and v > 0


async def test_rank_filter_keeps_only_top_ranked_traders(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    top = (await perpstracker.get(f"{P}/leaderboard/24h?limit=3")).json()["data"]
    trades = (await perpstracker.get(f"{P}/live-trades?leaderboard=24h&rank=3&limit=500")).json()["trades"]
    assert trades and {t["wallet_address"] for t in trades} <= {r["wallet_address"] for r in top}


async def test_docs_whale_position_appears_exactly_as_documented(
    perpstracker: httpx.AsyncClient, no_limits: None
) -> None:
    documented = doc("positions_all")["positions"][0]
    static = ("wallet", "position_key", "market", "side", "size_usd", "collateral_usd", "leverage",
              "entry_price", "open_time")
    listed = (await perpstracker.get(f"{P}/positions/all?market=SOL&limit=50")).json()["positions"]
    mine = next(p for p in listed if p["position_key"] == DOC_WHALE_KEY)
    assert {k: mine[k] for k in static} == {k: documented[k] for k in static}
    assert listed[0]["position_key"] == DOC_WHALE_KEY  # the largest position, first as in the docs
    own = (await perpstracker.get(f"{P}/trader/{documented['wallet']}/positions")).json()
    theirs = next(p for p in own["positions"] if p["position_key"] == DOC_WHALE_KEY)
    assert {k: theirs[k] for k in static if k != "wallet"} == {k: documented[k] for k in static if k != "wallet"}
    assert isinstance(theirs["open_time"], int) and theirs["open_time"] < 10**10  # seconds


async def test_time_units_and_casing_per_endpoint(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    prices = (await perpstracker.get("/prices")).json()
    assert isinstance(prices["timestamp"], int) and prices["timestamp"] > 10**12  # ms
    hist = (await perpstracker.get(f"{P}/trader/{W}/history?limit=100")).json()
    for t in hist["trades"]:
        assert t["side"] in ("LONG", "SHORT") and t["action"] in ("Open", "Increase", "Decrease", "Close")
        created = datetime.fromisoformat(t["createdAt"].replace("Z", "+00:00"))
        assert t["createdAt"].endswith(".000Z") and int(created.timestamp()) == t["createdTime"]
    trades = (await perpstracker.get(f"{P}/trader/{W}/trades")).json()["trades"]
    assert trades and all(t["token"] in ("SOL", "ETH", "BTC") and t["side"] in ("long", "short") for t in trades)
    assert all(ISO_S.match(t["timestamp"]) for t in trades)
    recent = (await perpstracker.get(f"{P}/positions/recent-activity")).json()
    assert all(p["open_time"] < 10**10 for p in recent["recently_opened"])
    hist_side = (await perpstracker.get(f"/trading/trade-history?wallet={W}")).json()["dataList"]
    assert {r["side"] for r in hist_side} <= {"Long", "Short"}


async def test_pro_key_works_on_rest_with_tier_pro(sandbox_url: str, no_limits: None) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api", headers=PRO) as client:
        board = await client.get(f"{P}/leaderboard/24h?limit=1")
        assert board.status_code == 200 and board.json()["tier"] == "pro"
        account = (await client.get(f"{P}/account")).json()
        assert account["subscription"]["plan"] == "pro" and account["watchlist"]["limit"] == 3
        backtest = await client.get(f"{P}/watchlist/backtest?wallet={W}")
        assert backtest.status_code == 403  # "Requires Elite subscription"
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api", headers=ELITE) as client:
        assert (await client.get(f"{P}/account")).json()["watchlist"]["limit"] == 100


async def test_unknown_path_is_json_404(perpstracker: httpx.AsyncClient) -> None:
    resp = await perpstracker.get(f"{P}/no-such-endpoint")
    assert resp.status_code == 404
    assert_error_body(resp.json(), "NOT_FOUND")
