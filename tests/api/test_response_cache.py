"""The whole-response cache through the real gateway, counted at the sandbox.

These tests build their own gateways with the real upstream policies (the session's gateway
forgets everything, tests/upstream_settings.py), and read the cache's counters from the app.
The sandbox's rate limits are switched off while they run (the `live_control` fixture restores
them): the question here is how many calls are made, not whether PerpsTracker would allow them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.response_cache.asgi import CacheStats
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.servers import serve
from tests.upstream_settings import one_caller

FIELDS = ("venue rank trader label pnl roi volume winRate trades accountValue score avgLeverage liquidations "
          "openPositions unrealizedPnl")
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclasses.dataclass
class Gateway:
    url: str
    app: Starlette

    @property
    def stats(self) -> CacheStats:
        stats: CacheStats = self.app.state.response_cache.stats
        return stats


@contextlib.contextmanager
def gateway_with(sandbox: str, **changes: Any) -> Iterator[Gateway]:
    settings = dataclasses.replace(one_caller(Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)), **changes)
    app = create_app(settings)
    with serve(app) as url:
        yield Gateway(url, app)


@pytest.fixture(scope="module")
def gw(live_sandbox_url: str) -> Iterator[Gateway]:
    with gateway_with(live_sandbox_url) as g:
        yield g


@pytest.fixture
async def control(live_control: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    await live_control.post("/ratelimits", json={"enabled": False})
    yield live_control


def board(limit: int) -> str:
    """A leaderboard no other test asks for (its limit), so it is cold in every cache."""
    return f"{{ perp {{ leaderboard(where: {{venue: JUPITER, timeframe: MONTH}}, limit: {limit}) {{ {FIELDS} }} }} }}"


def wallet() -> str:
    return "".join(secrets.choice(B58) for _ in range(44))


async def upstream_calls(control: httpx.AsyncClient, since: float) -> list[dict[str, Any]]:
    log: list[dict[str, Any]] = (await control.get("/requests", params={"since": since})).json()
    return [r for r in log if r["method"] != "WS"]


async def test_concurrent_identical_cold_queries_cause_one_upstream_request_and_one_execution(
    gw: Gateway, control: httpx.AsyncClient
) -> None:
    query = board(41)
    executions, since = gw.stats.executions, time.time()
    async with httpx.AsyncClient(base_url=gw.url, timeout=60, limits=httpx.Limits(max_connections=100)) as client:
        answers = await asyncio.gather(*(client.post("/graphql", json={"query": query}) for _ in range(100)))
    assert all(a.status_code == 200 for a in answers)
    assert {a.content for a in answers} == {answers[0].content}
    assert "errors" not in answers[0].json() and len(answers[0].json()["data"]["perp"]["leaderboard"]) > 0
    calls = await upstream_calls(control, since)
    assert [(c["upstream"], c["path"]) for c in calls] == [("perpstracker", "/api/perpetuals/leaderboard/30d")]
    assert gw.stats.executions - executions == 1
    assert sorted(a.headers["x-gateway-cache"] for a in answers).count("MISS") == 1


async def test_a_repeat_within_the_ttl_is_a_hit_with_no_upstream_request(gw: Gateway, control: httpx.AsyncClient) -> None:
    query = board(42)
    async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
        first = await client.post("/graphql", json={"query": query})
        executions, since = gw.stats.executions, time.time()
        again = await client.post("/graphql", json={"query": query.replace("{ ", "{\n  ")})
    assert first.headers["x-gateway-cache"] == "MISS" and again.headers["x-gateway-cache"] == "HIT"
    assert again.content == first.content
    assert await upstream_calls(control, since) == [] and gw.stats.executions == executions


async def test_get_carries_max_age_within_the_ttl(gw: Gateway, control: httpx.AsyncClient) -> None:
    params = {"query": "query($w: String!) { perp { traderStats(trader: $w, timeframe: MONTH) { rank pnl } "
                       "leaderboard(where: {venue: JUPITER, timeframe: MONTH}, limit: 43) { rank } } }",
              "variables": f'{{"w": "{wallet()}"}}'}
    async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
        first = await client.get("/graphql", params=params)
        second = await client.get("/graphql", params=params)
    assert first.headers["x-gateway-cache"] == "MISS" and second.headers["x-gateway-cache"] == "HIT"
    for answer in (first, second):
        directive, seconds = answer.headers["cache-control"].split(", max-age=")
        assert directive == "public" and 0 < int(seconds) <= 60  # leaderboards and /compare: 60 s


async def test_the_bypass_header_executes_again(gw: Gateway) -> None:
    query = board(44)
    async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
        await client.post("/graphql", json={"query": query})
        executions = gw.stats.executions
        bypassed = await client.post("/graphql", json={"query": query}, headers={"X-Gateway-Cache": "bypass"})
        no_cache = await client.post("/graphql", json={"query": query}, headers={"Cache-Control": "no-cache"})
    assert [bypassed.headers["x-gateway-cache"], no_cache.headers["x-gateway-cache"]] == ["BYPASS", "BYPASS"]
    assert gw.stats.executions - executions == 2


async def test_an_answer_with_an_error_is_not_cached(gw: Gateway) -> None:
    query = ("{ perp { leaderboard(where: {venue: JUPITER, timeframe: MONTH}, limit: 45) { rank } "
             "traderStats(trader: \"0x" + "cd" * 20 + "\") { rank } } }")
    async with httpx.AsyncClient(base_url=gw.url, timeout=30) as client:
        executions = gw.stats.executions
        answers = [await client.get("/graphql", params={"query": query}) for _ in range(2)]
    for answer in answers:
        body = answer.json()
        assert body["data"]["perp"]["leaderboard"] and body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert answer.headers["x-gateway-cache"] == "MISS" and answer.headers["cache-control"] == "no-store"
    assert gw.stats.executions - executions == 2


async def test_a_stale_answer_is_marked_and_not_cached(live_sandbox_url: str, control: httpx.AsyncClient) -> None:
    """PerpsTracker down, its answer past its TTL but within max-stale: served, marked, not stored."""
    query = "query($w: String!) { perp { traderStats(trader: $w, timeframe: YEAR) { trader rank } } }"
    variables = {"w": wallet()}
    with gateway_with(live_sandbox_url, cache_ttl_overrides={"perpstracker.compare": 0.2}) as g:
        async with httpx.AsyncClient(base_url=g.url, timeout=60) as client:
            fresh = await client.post("/graphql", json={"query": query, "variables": variables})
            assert fresh.headers["x-gateway-cache"] == "MISS" and "extensions" not in fresh.json()
            await asyncio.sleep(0.4)  # past the 0.2 s TTL of both the answer and its upstream copy
            await control.post("/faults", json={"upstream": "perpstracker", "mode": "down"})
            stale = [await client.post("/graphql", json={"query": query, "variables": variables}) for _ in range(2)]
    for answer in stale:
        body = answer.json()
        assert body["data"] == fresh.json()["data"] and "errors" not in body
        (note,) = body["extensions"]["stale"]
        assert note["source"] == "perpstracker" and note["age"] >= 0.2
        assert answer.headers["x-gateway-cache"] == "MISS"


async def test_switched_off_every_query_executes(live_sandbox_url: str) -> None:
    query = board(46)
    with gateway_with(live_sandbox_url, response_cache=False) as g:
        async with httpx.AsyncClient(base_url=g.url, timeout=30) as client:
            answers = [await client.post("/graphql", json={"query": query}) for _ in range(2)]
        assert [a.headers["x-gateway-cache"] for a in answers] == ["BYPASS", "BYPASS"]
        assert g.stats.executions == 2 and g.stats.bypasses == 2
