"""The sandbox process and its control surface: clock, injection, reset, faults, request log."""

from __future__ import annotations

import httpx


async def test_sandbox_process_answers_health(control: httpx.AsyncClient) -> None:
    r = await control.get("/health")
    assert r.status_code == 200 and r.json() == {"ok": True}


async def test_step_advances_the_clock(control: httpx.AsyncClient) -> None:
    before = (await control.get("/state")).json()
    r = await control.post("/step", json={"seconds": 600})
    assert r.status_code == 200
    assert r.json()["now_ms"] == before["now_ms"] + 600_000
    after = (await control.get("/state")).json()
    assert after["events"] >= before["events"]


async def test_reset_with_a_seed_replays_the_same_history(control: httpx.AsyncClient) -> None:
    await control.post("/reset", json={"seed": 21})
    first = (await control.post("/step", json={"seconds": 3600})).json()["events"]
    await control.post("/reset", json={"seed": 21})
    second = (await control.post("/step", json={"seconds": 3600})).json()["events"]
    assert first and first == second
    await control.post("/reset", json={"seed": 7})


async def test_inject_returns_the_event_with_a_new_sequence_number(control: httpx.AsyncClient) -> None:
    last = (await control.get("/state")).json()["last_seq"]
    r = await control.post("/inject", json={
        "venue": "HYPERLIQUID", "trader": "0x" + "ab" * 20, "symbol": "ETH", "action": "open",
        "is_long": False, "size_usd": 10_000, "collateral_usd": 1_000,
    })
    assert r.status_code == 200
    (event,) = r.json()["events"]
    assert event["seq"] == last + 1 and event["action"] == "open" and event["is_long"] is False


async def test_inject_refuses_impossible_trades(control: httpx.AsyncClient) -> None:
    r = await control.post("/inject", json={
        "venue": "JUPITER", "trader": "x", "symbol": "DOGE", "action": "open"})
    assert r.status_code == 400 and "no market" in r.json()["error"]
    r = await control.post("/inject", json={"venue": "JUPITER"})
    assert r.status_code == 400


async def test_error_fault_answers_500_and_is_logged(control: httpx.AsyncClient, sandbox_url: str) -> None:
    await control.post("/counters")  # reset the request log
    assert (await control.post("/faults", json={"upstream": "nansen", "mode": "error"})).status_code == 200
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{sandbox_url}/nansen/api/v1/perp-screener", json={})
    assert r.status_code == 500
    counters = (await control.get("/counters")).json()
    assert counters["nansen"]["by_status"] == {"500": 1}
    assert counters["nansen"]["by_path"] == {"POST /api/v1/perp-screener": 1}


async def test_down_fault_answers_502_until_cleared(control: httpx.AsyncClient, sandbox_url: str) -> None:
    await control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
    async with httpx.AsyncClient() as client:
        assert (await client.post(f"{sandbox_url}/nibiru/query", json={})).status_code == 502
        await control.delete("/faults")
        assert (await client.post(f"{sandbox_url}/nibiru/query", json={})).status_code != 502


async def test_unknown_fault_mode_is_refused(control: httpx.AsyncClient) -> None:
    r = await control.post("/faults", json={"upstream": "nansen", "mode": "explode"})
    assert r.status_code == 400


async def test_traders_list_per_venue(control: httpx.AsyncClient) -> None:
    r = await control.get("/traders", params={"venue": "NIBIRU"})
    traders = r.json()
    assert len(traders) >= 40 and all(t["address"].startswith("nibi1") for t in traders)
    assert (await control.get("/traders", params={"venue": "MARS"})).status_code == 400
