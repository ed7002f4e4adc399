"""An upstream that stops answering: cached answers are served stale (and marked), and after enough
failures the circuit opens so that calls stop reaching the upstream until a trial call succeeds."""

from __future__ import annotations

import asyncio
import time

import httpx

from gateway.cli import free_port, sandbox_process
from tests.api.helpers import traders, without_request_id
from tests.api.upstream_helpers import (
    HL_BOARD,
    JUPITER_BOARD,
    TRADES,
    gateway_client,
    gql,
    policy_settings,
    upstream_requests,
)

BOARD_PATH = "/api/v1/perp-leaderboard"


async def test_a_stopped_upstream_is_answered_from_stale_cache_and_marked() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = policy_settings(url, cache_ttl_overrides={"perpstracker.leaderboard": 0.5, "nibiru.trades": 0.5})
    async with gateway_client(settings) as gateway:
        with sandbox_process(port, live=False, start="now"):
            async with httpx.AsyncClient(base_url=f"{url}/_control") as control:
                nibiru = max(await traders(control, "NIBIRU"), key=lambda t: t["positions"])["address"]
            board = await gql(gateway, JUPITER_BOARD, l=10)
            trades = await gql(gateway, TRADES, t=nibiru)
            assert "errors" not in board and "errors" not in trades and "extensions" not in board
        await asyncio.sleep(0.6)  # the sandbox process is gone and both answers are past their TTL

        stale_board = await gql(gateway, JUPITER_BOARD, l=10)
        assert stale_board["data"] == board["data"]
        (note,) = stale_board["extensions"]["stale"]
        assert note["source"] == "perpstracker" and 0.5 <= note["age"] < 300
        stale_trades = await gql(gateway, TRADES, t=nibiru)
        assert stale_trades["data"] == trades["data"]
        assert [n["source"] for n in stale_trades["extensions"]["stale"]] == ["nibiru"]

        never_cached = await gql(gateway, JUPITER_BOARD, l=11)
        assert without_request_id(never_cached["errors"][0]["extensions"]) == {"code": "UPSTREAM_UNAVAILABLE", "source": "perpstracker"}


async def test_an_upstream_answering_502_is_answered_from_stale_cache(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings = policy_settings(live_sandbox_url, cache_ttl_overrides={"nansen.leaderboard": 0.3})
    async with gateway_client(settings) as gateway:
        fresh = await gql(gateway, HL_BOARD, l=7)
        assert "errors" not in fresh
        await live_control.post("/faults", json={"upstream": "nansen", "mode": "down"})
        await asyncio.sleep(0.4)
        since = time.time()
        stale = await gql(gateway, HL_BOARD, l=7)
    assert stale["data"] == fresh["data"] and stale["extensions"]["stale"][0]["source"] == "nansen"
    assert {r["status"] for r in await upstream_requests(live_control, "nansen", since)} == {502}  # it did ask


async def test_the_circuit_opens_after_the_threshold_and_closes_after_a_trial_succeeds(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings = policy_settings(live_sandbox_url, breaker_threshold=3, breaker_cooldown=1.0, upstream_retries=0,
                               max_stale=0.0, cache_ttl_overrides={"nansen.leaderboard": 0})
    async with gateway_client(settings) as gateway:
        await live_control.post("/faults", json={"upstream": "nansen", "mode": "down"})
        since = time.time()
        for _ in range(3):
            error = (await gql(gateway, HL_BOARD, l=5))["errors"][0]
            assert without_request_id(error["extensions"]) == {"code": "UPSTREAM_UNAVAILABLE", "source": "nansen"}
        assert len(await upstream_requests(live_control, "nansen", since, BOARD_PATH)) == 3

        for _ in range(3):  # open: failing at once, without reaching the upstream
            error = (await gql(gateway, HL_BOARD, l=5))["errors"][0]
            assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE" and "circuit open" in error["message"]
        assert len(await upstream_requests(live_control, "nansen", since, BOARD_PATH)) == 3

        await live_control.delete("/faults")
        await asyncio.sleep(1.1)  # the cooldown: the next call is the trial
        assert "errors" not in await gql(gateway, HL_BOARD, l=5)
        assert "errors" not in await gql(gateway, HL_BOARD, l=5)  # closed again
        log = await upstream_requests(live_control, "nansen", since, BOARD_PATH)
    assert [r["status"] for r in log] == [502, 502, 502, 200, 200]
