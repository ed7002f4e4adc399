"""PerpsTracker simulator alert WebSocket, driven like the docs' JavaScript/Python examples."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from sandbox.state import PERPSTRACKER_KEY, PERPSTRACKER_PRO_KEY
from tests.sandbox.test_perpstracker_support import doc, fresh_wallet

WL = "/perpetuals/watchlist"


@pytest.fixture
def ws_url(sandbox_url: str) -> str:
    return sandbox_url.replace("http://", "ws://") + "/perpstracker/ws/alerts"


@pytest.fixture
async def no_limits(control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": False})


async def recv(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 10))
    return message


async def recv_trade_for(ws: Any, wallet: str, never: str = "") -> dict[str, Any]:
    """The next trade alert for `wallet`, skipping other watched wallets (the docs' seeded one);
    an alert for `never` on the way fails the test."""
    while True:
        message = await recv(ws)
        if message["type"] == "trade":
            assert message["wallet"] != never, f"alert for {never}, whose alerts are off"
            if message["wallet"] == wallet:
                return message


async def inject(control: httpx.AsyncClient, wallet: str, action: str, **kw: object) -> dict[str, Any]:
    body = {"venue": "JUPITER", "trader": wallet, "symbol": kw.pop("symbol", "SOL"), "action": action, **kw}
    resp = await control.post("/inject", json=body)
    assert resp.status_code == 200, resp.text
    events: list[dict[str, Any]] = resp.json()["events"]
    return events[0]


async def test_connect_auth_ping_as_in_the_docs(ws_url: str) -> None:
    async with websockets.connect(ws_url) as ws:
        assert (await recv(ws))["type"] == "connected"
        await ws.send(json.dumps({"type": "auth", "apiKey": PERPSTRACKER_KEY}))
        ok = await recv(ws)
        assert set(ok) == set(doc("ws_auth_success"))
        assert ok["type"] == "auth_success" and ok["plan"] == "elite"
        assert isinstance(ok["watchedWallets"], int) and ok["watchedWallets"] >= 1  # the seeded WHALE1
        assert ok["message"] == f"Subscribed to {ok['watchedWallets']} wallets with alerts enabled"
        await ws.send(json.dumps({"type": "ping"}))
        assert await recv(ws) == {"type": "pong"}


async def test_pro_key_and_unknown_key_get_auth_error(ws_url: str) -> None:
    async with websockets.connect(ws_url) as ws:
        await recv(ws)
        await ws.send(json.dumps({"type": "auth", "apiKey": PERPSTRACKER_PRO_KEY}))
        assert await recv(ws) == doc("ws_auth_error")
        await ws.send(json.dumps({"type": "auth", "apiKey": "nope"}))
        error = await recv(ws)
        assert error["type"] == "auth_error" and "invalid" in error["message"].lower()
        await ws.send(json.dumps({"type": "ping"}))  # the socket stays usable
        assert await recv(ws) == {"type": "pong"}


async def test_trade_alert_for_watchlisted_wallet_with_alerts_on(
    ws_url: str, perpstracker: httpx.AsyncClient, control: httpx.AsyncClient, no_limits: None
) -> None:
    on, off = fresh_wallet("ws-on"), fresh_wallet("ws-off")
    for w in (on, off):
        assert (await perpstracker.post(f"{WL}/add", json={"wallet_address": w})).status_code == 200
    await perpstracker.post(f"{WL}/{on}/alerts", json={"enabled": True})
    try:
        async with websockets.connect(ws_url) as ws:
            await recv(ws)
            await ws.send(json.dumps({"type": "auth", "apiKey": PERPSTRACKER_KEY}))
            assert (await recv(ws))["type"] == "auth_success"
            await inject(control, off, "open", size_usd=10000, collateral_usd=2000)  # alerts off: silent
            opened = await inject(control, on, "open", size_usd=25000, collateral_usd=3000)
            trade = await recv_trade_for(ws, on, never=off)
            assert set(trade) == set(doc("ws_trade"))
            assert trade == {
                "type": "trade", "wallet": on, "wallet_short": f"{on[:4]}...{on[-4:]}", "token": "SOL",
                "side": "LONG", "action": "OPEN", "size_usd": 25000, "collateral_usd": 3000,
                "leverage": opened["leverage"], "price": opened["price"], "pnl_usd": None,
                "tx_signature": opened["tx"], "timestamp": opened["ts_ms"],
            }
            assert isinstance(trade["timestamp"], int) and trade["timestamp"] > 10**12  # ms
            for action, expected in (("increase", "INCREASE"), ("reduce", "REDUCE"), ("close", "CLOSE")):
                ev = await inject(control, on, action)
                got = await recv_trade_for(ws, on)
                assert (got["action"], got["tx_signature"]) == (expected, ev["tx"])
                assert isinstance(got["pnl_usd"], int | float) if expected != "INCREASE" else got["pnl_usd"] is None
            await inject(control, on, "open", is_long=False, size_usd=8000, collateral_usd=800, symbol="BTC")
            assert (await recv_trade_for(ws, on))["side"] == "SHORT"
            liq = await inject(control, on, "liquidation", symbol="BTC")
            got = await recv_trade_for(ws, on)
            # no LIQUIDATION action is documented: a liquidation arrives as a CLOSE losing the collateral
            assert (got["action"], got["tx_signature"], got["pnl_usd"]) == ("CLOSE", liq["tx"], -800)
    finally:
        for w in (on, off):
            await perpstracker.delete(f"{WL}/{w}")


async def test_garbage_messages_are_ignored(ws_url: str) -> None:
    async with websockets.connect(ws_url) as ws:
        await recv(ws)
        await ws.send("not json")
        await ws.send(json.dumps({"type": "subscribe"}))
        await ws.send(json.dumps({"type": "ping"}))
        assert await recv(ws) == {"type": "pong"}


async def test_client_that_never_reads_does_not_block_the_market(
    ws_url: str, perpstracker: httpx.AsyncClient, control: httpx.AsyncClient, no_limits: None
) -> None:
    wallet = fresh_wallet("ws-silent")
    await perpstracker.post(f"{WL}/add", json={"wallet_address": wallet})
    await perpstracker.post(f"{WL}/{wallet}/alerts", json={"enabled": True})
    try:
        async with websockets.connect(ws_url, max_queue=1, close_timeout=1) as ws:
            await recv(ws)
            await ws.send(json.dumps({"type": "auth", "apiKey": PERPSTRACKER_KEY}))
            await recv(ws)
            # more alerts than the per-connection queue holds, none of them read
            for _ in range(300):
                await inject(control, wallet, "open", size_usd=1000, collateral_usd=200)
            state = (await control.get("/state")).json()
            assert state["events"] >= 300
    finally:
        await perpstracker.delete(f"{WL}/{wallet}")
