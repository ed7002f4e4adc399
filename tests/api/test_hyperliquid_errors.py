"""HYPERLIQUID failure modes through the gateway: bad input, upstream 5xx, upstream down, rate limited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from sandbox.state import NANSEN_KEY
from tests.api.helpers import without_request_id
from tests.api.test_hyperliquid_support import fresh_trader, gql

TRADES = """query($trader: String!) { perp { trades(where: {trader: $trader}) { id venueTradeId } } }"""
ONE = """query($trader: String!) { perp { trade(id: 1, trader: $trader) { id } } }"""
HISTORY = """query($trader: String) { perp { tradeHistory(where: {trader: $trader, venue: HYPERLIQUID}) { id } } }"""
BORROWINGS = """{ perp { borrowings(where: {venue: HYPERLIQUID}) { marketId } } }"""
LEADERBOARD = """{ perp { leaderboard(where: {venue: HYPERLIQUID, timeframe: DAY}, limit: 3) { rank trader } } }"""


@pytest.fixture
async def unthrottled(live_control: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    await live_control.post("/ratelimits", json={"enabled": False})
    yield live_control


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    error: dict[str, Any] = body["errors"][0]
    return error


@pytest.mark.parametrize("address", [
    "0x123", "0x" + "g" * 40, "0x" + "a" * 41, "45d26f28196d226497130c4bac709d808fed4029", "0X" + "a" * 40,
])
async def test_a_malformed_address_is_bad_user_input(gateway: httpx.AsyncClient, address: str) -> None:
    for document in (TRADES, ONE):
        error = error_of(await gql(gateway, document, trader=address))
        assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_non_hyperliquid_address_named_hyperliquid_is_bad_user_input(gateway: httpx.AsyncClient) -> None:
    document = """query($t: String!) { perp { trades(where: {trader: $t, venue: HYPERLIQUID}) { id } } }"""
    error = error_of(await gql(gateway, document, t="DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_history_without_a_trader_is_bad_user_input(gateway: httpx.AsyncClient) -> None:
    error = error_of(await gql(gateway, HISTORY, trader=None))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "needs a trader" in error["message"]


@pytest.mark.parametrize("status", [500, 501, 404])
async def test_upstream_error_status_is_upstream_error(
    gateway: httpx.AsyncClient, unthrottled: httpx.AsyncClient, live_sandbox_url: str, status: int
) -> None:
    await unthrottled.post("/faults", json={"upstream": "nansen", "mode": "error", "status": status})
    for document, variables in ((TRADES, {"trader": fresh_trader()}), (BORROWINGS, {}), (LEADERBOARD, {})):
        body = await gql(gateway, document, **variables)
        error = error_of(body)
        assert error["extensions"]["code"] == "UPSTREAM_ERROR" and error["extensions"]["source"] == "nansen"
        assert body["data"] is None
        assert live_sandbox_url not in str(body) and "/api/v1" not in str(body)


async def test_upstream_down_is_upstream_unavailable(
    gateway: httpx.AsyncClient, unthrottled: httpx.AsyncClient
) -> None:
    await unthrottled.post("/faults", json={"upstream": "nansen", "mode": "down"})
    for document, variables in ((TRADES, {"trader": fresh_trader()}), (BORROWINGS, {}), (LEADERBOARD, {})):
        error = error_of(await gql(gateway, document, **variables))
        assert without_request_id(error["extensions"]) == {"code": "UPSTREAM_UNAVAILABLE", "source": "nansen"}


async def test_a_429_fault_is_rate_limited(gateway: httpx.AsyncClient, unthrottled: httpx.AsyncClient) -> None:
    await unthrottled.post("/faults", json={"upstream": "nansen", "mode": "error", "status": 429})
    error = error_of(await gql(gateway, TRADES, trader=fresh_trader()))
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["extensions"]["source"] == "nansen"
    assert error["extensions"]["retryAfter"] >= 0


async def test_exhausting_nansens_per_second_limit_is_rate_limited(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    """20 requests per calendar second per key: a burst of queries through the gateway trips it."""
    await live_control.post("/ratelimits", json={"enabled": True})
    limited: list[dict[str, Any]] = []
    # A burst may straddle a second boundary, or be spread over more than a second on a loaded
    # machine; another, larger one then trips it (the count is what the test needs, not the speed).
    for size in (30, 45, 60, 90, 120):
        bodies = await asyncio.gather(*(gql(gateway, BORROWINGS) for _ in range(size)))
        limited = [e for b in bodies for e in b.get("errors", []) if e["extensions"]["code"] == "RATE_LIMITED"]
        if limited:
            break
    assert limited, "no burst was refused"
    extensions = limited[0]["extensions"]
    assert extensions["source"] == "nansen" and 0 < extensions["retryAfter"] <= 60
    # Leave the window spent by this test behind before the next test asks Nansen anything.
    await asyncio.sleep(extensions["retryAfter"])


async def test_the_key_never_reaches_a_caller(
    gateway: httpx.AsyncClient, unthrottled: httpx.AsyncClient
) -> None:
    """Every answer of these tests is checked by `gql`; this one collects the error paths in one place."""
    texts: list[str] = []
    for fault in ({"mode": "error", "status": 401}, {"mode": "error", "status": 500}, {"mode": "down"}, None):
        if fault is not None:
            await unthrottled.post("/faults", json={"upstream": "nansen", **fault})
        else:
            await unthrottled.delete("/faults")
        for document, variables in ((TRADES, {"trader": fresh_trader()}), (BORROWINGS, {}), (LEADERBOARD, {}),
                                    (HISTORY, {"trader": None})):
            response = await gateway.post("/graphql", json={"query": document, "variables": variables})
            texts.append(response.text)
    assert texts and not any(NANSEN_KEY in t for t in texts)
    assert not any("apiKey" in t for t in texts)
