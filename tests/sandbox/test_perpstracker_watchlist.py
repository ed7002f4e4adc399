"""PerpsTracker simulator watchlist: CRUD round trip, plan limits, alerts polling, copy simulation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.sandbox.test_perpstracker_support import (
    DOC_WALLET,
    PRO,
    assert_error_body,
    assert_shape,
    doc,
    fresh_wallet,
)

WL = "/perpetuals/watchlist"


@pytest.fixture
async def no_limits(control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": False})


@pytest.fixture
async def pro(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/perpstracker/api", headers=PRO, timeout=30) as c:
        yield c


async def inject(control: httpx.AsyncClient, wallet: str, action: str, **kw: object) -> dict[str, Any]:
    body = {"venue": "JUPITER", "trader": wallet, "symbol": kw.pop("symbol", "SOL"), "action": action, **kw}
    resp = await control.post("/inject", json=body)
    assert resp.status_code == 200, resp.text
    events: list[dict[str, Any]] = resp.json()["events"]
    return events[0]


async def test_watchlist_crud_round_trip(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    w = fresh_wallet("crud")
    added = await perpstracker.post(f"{WL}/add", json={"wallet_address": w, "label": "WHALE9", "notes": "n1"})
    assert added.status_code == 200
    assert_shape(doc("watchlist_add"), added.json())
    assert added.json()["limit"] == 100 and added.json()["label"] == "WHALE9"
    try:
        again = await perpstracker.post(f"{WL}/add", json={"wallet_address": w})
        assert again.status_code == 400
        checked = (await perpstracker.get(f"{WL}/check/{w}")).json()
        assert_shape(doc("watchlist_check"), checked)
        assert checked["in_watchlist"] is True and checked["entry"]["notes"] == "n1"

        notes = await perpstracker.patch(f"{WL}/{w}/notes", json={"notes": "Updated notes about this trader"})
        assert notes.json() == {**doc("watchlist_notes"), "wallet_address": w}
        label = await perpstracker.patch(f"{WL}/{w}/label", json={"label": "WHALE2"})
        assert label.json() == {**doc("watchlist_label"), "wallet_address": w}
        bad = await perpstracker.patch(f"{WL}/{w}/label", json={"label": "TOO-LONG-LABEL"})
        assert bad.status_code == 400
        assert_error_body(bad.json(), "INVALID_PARAMETER")
        alerts = await perpstracker.post(f"{WL}/{w}/alerts", json={"enabled": True})
        assert alerts.json() == {**doc("watchlist_alerts"), "wallet_address": w}

        listed = (await perpstracker.get(WL)).json()
        entry = next(e for e in listed["watchlist"] if e["wallet_address"] == w)
        assert (entry["label"], entry["notes"], entry["alerts_enabled"]) == (
            "WHALE2", "Updated notes about this trader", True)
        assert entry["stats"] is None  # never traded: on no leaderboard
        assert any(e["wallet_address"] == DOC_WALLET and e["label"] == "WHALE1" for e in listed["watchlist"])
    finally:
        removed = await perpstracker.delete(f"{WL}/{w}")
    assert removed.json() == {**doc("watchlist_remove"), "wallet_address": w}
    assert (await perpstracker.get(f"{WL}/check/{w}")).json() == {"in_watchlist": False, "entry": None}
    gone = await perpstracker.delete(f"{WL}/{w}")
    assert gone.status_code == 404
    assert_error_body(gone.json(), "NOT_FOUND")


async def test_pro_plan_limit_is_three_and_bulk_toggle_counts(pro: httpx.AsyncClient, no_limits: None) -> None:
    wallets = [fresh_wallet(f"pro{i}") for i in range(4)]
    try:
        for w in wallets[:3]:
            assert (await pro.post(f"{WL}/add", json={"wallet_address": w})).status_code == 200
        refused = await pro.post(f"{WL}/add", json={"wallet_address": wallets[3]})
        assert refused.status_code == 400
        assert_error_body(refused.json(), "WATCHLIST_LIMIT_REACHED")
        bulk = (await pro.post(f"{WL}/alerts/bulk", json={"enabled": True})).json()
        assert_shape(doc("watchlist_alerts_bulk"), bulk)
        assert bulk["updated_count"] == 3 and bulk["alerts_enabled"] is True
        listed = (await pro.get(WL)).json()
        assert listed["count"] == 3 and listed["limit"] == 3 and listed["tier"] == "pro"
        assert all(e["alerts_enabled"] for e in listed["watchlist"])
    finally:
        for w in wallets:
            await pro.delete(f"{WL}/{w}")


async def test_elite_plan_limit_is_one_hundred(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    start = (await perpstracker.get(WL)).json()["count"]
    added = []
    try:
        for i in range(100 - start):
            w = fresh_wallet(f"elite{i}")
            assert (await perpstracker.post(f"{WL}/add", json={"wallet_address": w})).status_code == 200
            added.append(w)
        refused = await perpstracker.post(f"{WL}/add", json={"wallet_address": fresh_wallet("elite-over")})
        assert refused.status_code == 400
        assert_error_body(refused.json(), "WATCHLIST_LIMIT_REACHED")
    finally:
        for w in added:
            await perpstracker.delete(f"{WL}/{w}")
    assert (await perpstracker.get(WL)).json()["count"] == start


async def test_alert_trades_since_returns_the_injected_trade(
    perpstracker: httpx.AsyncClient, control: httpx.AsyncClient, no_limits: None
) -> None:
    on, off = fresh_wallet("poll-on"), fresh_wallet("poll-off")
    for w in (on, off):
        await perpstracker.post(f"{WL}/add", json={"wallet_address": w})
    await perpstracker.post(f"{WL}/{on}/alerts", json={"enabled": True})
    try:
        ev_off = await inject(control, off, "open", size_usd=20000, collateral_usd=4000)
        ev = await inject(control, on, "open", is_long=False, size_usd=30000, collateral_usd=5000, symbol="ETH")
        since = int(ev["ts_ms"]) - 1
        body = (await perpstracker.get(f"{WL}/alerts/trades?since={since}")).json()
        assert_shape(doc("watchlist_alerts_trades"), body)
        assert body["since"] == since
        mine = [t for t in body["trades"] if t["signature"] == ev["tx"]]
        assert len(mine) == 1 and not any(t["signature"] == ev_off["tx"] for t in body["trades"])
        t = mine[0]
        assert (t["wallet_address"], t["trade_classification"], t["token"], t["side"], t["size"]) == (
            on, "OPEN", "WETH", "short", 30000)
        default = (await perpstracker.get(f"{WL}/alerts/trades")).json()  # since = 60 s ago
        assert any(t["signature"] == ev["tx"] for t in default["trades"])
        later = (await perpstracker.get(f"{WL}/alerts/trades?since={since + 2}")).json()
        assert not any(t["signature"] == ev["tx"] for t in later["trades"])
    finally:
        for w in (on, off):
            await perpstracker.delete(f"{WL}/{w}")


async def test_watchlist_position_views_on_injected_positions(
    perpstracker: httpx.AsyncClient, control: httpx.AsyncClient, no_limits: None
) -> None:
    w = fresh_wallet("views")
    await perpstracker.post(f"{WL}/add", json={"wallet_address": w, "label": "VIEWS"})
    try:
        await inject(control, w, "open", size_usd=50000, collateral_usd=5000)
        chart = (await perpstracker.get("/perpetuals/chart-positions?market=SOL&source=watchlist")).json()
        row = next(p for p in chart["positions"] if p["wallet"] == w)
        assert_shape(doc("chart_positions")["positions"][0], row)
        assert row["label"] == "VIEWS" and row["walletShort"] == f"{w[:4]}...{w[-4:]}"
        summary = (await perpstracker.get(f"{WL}/positions-summary")).json()
        assert_shape(doc("watchlist_positions_summary"), summary)
        assert any(p["wallet"] == w and p["label"] == "VIEWS" for p in summary["positions"])
        sim = (await perpstracker.get(f"{WL}/positions-with-simulation")).json()
        assert_shape(doc("watchlist_positions_with_simulation"), sim)
        mine = next(p for p in sim["positions"] if p["wallet"] == w)
        assert mine["simulation"]["your_size_usd"] == 5000  # default: 10% of the trader's size
        own = (await perpstracker.get(f"/perpetuals/trader/{w}/positions")).json()
        assert_shape(doc("trader_positions"), own)
        assert own["count"] == 1 and own["totals"]["size_usd"] == 50000
        trading = (await perpstracker.get(f"/trading/positions?wallet={w}")).json()
        assert_shape(doc("trading_positions"), trading)
    finally:
        await perpstracker.delete(f"{WL}/{w}")


async def test_simulation_settings_save_as_documented(perpstracker: httpx.AsyncClient, no_limits: None) -> None:
    try:
        saved = await perpstracker.post(f"{WL}/simulation/settings",
                                        json={"copyMode": "percentage", "percentageOfTrader": 15, "maxLeverage": 5})
        assert saved.json() == doc("watchlist_simulation_settings_save")
        assert (await perpstracker.get(f"{WL}/simulation/settings")).json() == saved.json()
        bad = await perpstracker.post(f"{WL}/simulation/settings", json={"maxLeverage": 500})
        assert bad.status_code == 400
    finally:
        await perpstracker.post(f"{WL}/simulation/settings",
                                json={"copyMode": "percentage", "percentageOfTrader": 10, "maxLeverage": 10})
    assert (await perpstracker.get(f"{WL}/simulation/settings")).json() == doc("watchlist_simulation_settings")


async def test_new_traders_finds_a_first_time_trader(
    perpstracker: httpx.AsyncClient, control: httpx.AsyncClient, no_limits: None
) -> None:
    w = fresh_wallet("newcomer")
    await inject(control, w, "open", size_usd=10000, collateral_usd=2000, symbol="BTC")
    await inject(control, w, "close", symbol="BTC")
    body = (await perpstracker.get("/perpetuals/new-traders?period=daily&limit=50&sort=volume")).json()
    assert_shape(doc("new_traders"), body)
    assert any(t["wallet_address"] == w for t in body["traders"])
    assert body["new_traders_count"] >= 1 and body["previous_periods_compared"] >= 1
