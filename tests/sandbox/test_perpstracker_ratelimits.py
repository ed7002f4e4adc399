"""PerpsTracker simulator rate limits: per-category burst windows, headers, 429 body, request log."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.sandbox.test_perpstracker_support import DOC_WALLET, assert_error_body

HISTORY = f"/perpetuals/trader/{DOC_WALLET}/history?limit=1"  # Historical data: 3/s, 50/min


async def test_every_response_carries_rate_limit_headers(perpstracker: httpx.AsyncClient) -> None:
    resp = await perpstracker.get("/prices")
    assert resp.status_code == 200
    assert resp.headers["RateLimit-Limit"] in ("10", "200")  # Live trades: burst or sustained window
    assert int(resp.headers["RateLimit-Remaining"]) >= 0 and int(resp.headers["RateLimit-Reset"]) >= 1


async def test_burst_limit_refuses_with_429_and_other_categories_are_unaffected(
    perpstracker: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post("/ratelimits", json={"enabled": True})
    refused = None
    for _ in range(5):  # a second boundary may fall between requests: try a few bursts
        responses = await asyncio.gather(*(perpstracker.get(HISTORY) for _ in range(8)))
        refused = next((r for r in responses if r.status_code == 429), None)
        if refused is not None:
            break
    assert refused is not None, "the Historical data burst limit (3/s) never refused"
    assert_error_body(refused.json(), "RATE_LIMIT_EXCEEDED")
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert refused.headers["RateLimit-Limit"] in ("3", "50")
    assert int(refused.headers["RateLimit-Reset"]) >= 1
    other = await perpstracker.get("/perpetuals/live-trades?limit=1")  # Live trades: its own window
    assert other.status_code == 200


async def test_disabled_limits_never_refuse(perpstracker: httpx.AsyncClient, control: httpx.AsyncClient) -> None:
    await control.post("/ratelimits", json={"enabled": False})
    responses = await asyncio.gather(*(perpstracker.get(HISTORY) for _ in range(12)))
    assert [r.status_code for r in responses] == [200] * 12
    assert all("RateLimit-Remaining" in r.headers for r in responses)


async def test_request_log_records_each_requests_category(
    perpstracker: httpx.AsyncClient, control: httpx.AsyncClient
) -> None:
    await control.post("/ratelimits", json={"enabled": False})
    since = time.time() - 1
    expected = {
        "/perpetuals/leaderboard/7d": "Leaderboard",
        "/perpetuals/live-trades": "Live trades",
        f"/perpetuals/trader/{DOC_WALLET}": "Trader profiles",
        f"/perpetuals/trader/{DOC_WALLET}/history": "Historical data",
    }
    for path in expected:
        assert (await perpstracker.get(path)).status_code == 200
    log = (await control.get("/requests", params={"upstream": "perpstracker", "since": since})).json()
    seen = {r["path"].removeprefix("/api"): r["category"] for r in log}
    for path, category in expected.items():
        assert seen[path] == category
