"""Across venues: merged leaderboards, a venue down, unconfigured sources, upstream timeouts."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.helpers import codes, gql_post, without_request_id
from tests.configure import configure
from tests.servers import serve

BOARD = "query($w: PerpLeaderboardFilter!, $l: Int) { perp { leaderboard(where: $w, limit: $l) { venue rank trader pnl } } }"
JUPITER_TRADER = "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"
HL_TRADER = "0xa312114b5795dff9b8db50474dd57701aa78ad1e"


@pytest.fixture(autouse=True)
async def _no_sandbox_rate_limits(live_control: httpx.AsyncClient) -> None:
    # These tests are about federation, not throttling (the live_control fixture turns limits back on).
    await live_control.post("/ratelimits", json={"enabled": False})


async def _gateway_with(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with serve(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client


@pytest.fixture
async def keyless_gateway(live_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """Sandbox URLs but no PerpsTracker or Nansen key: JUPITER and HYPERLIQUID are unconfigured."""
    full = Settings(sandbox="off").with_sandbox(live_sandbox_url, SANDBOX_KEYS)
    async for client in _gateway_with(configure(full, perpstracker_api_key=None, nansen_api_key=None)):
        yield client


@pytest.fixture
async def impatient_gateway(live_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """All sources configured, waiting at most one second for an upstream."""
    full = Settings(sandbox="off").with_sandbox(live_sandbox_url, SANDBOX_KEYS)
    async for client in _gateway_with(dataclasses.replace(full, upstream_timeout=1.0)):
        yield client


async def test_leaderboard_without_a_venue_merges_every_windowed_venue_by_pnl(gateway: httpx.AsyncClient) -> None:
    body = await gql_post(gateway, BOARD, w={"timeframe": "WEEK"}, l=40)
    assert "errors" not in body, body
    entries = body["data"]["perp"]["leaderboard"]
    assert {e["venue"] for e in entries} == {"JUPITER", "HYPERLIQUID"}  # NIBIRU's board has no window
    pnls = [e["pnl"] for e in entries]
    assert pnls == sorted(pnls, reverse=True) and len(entries) == 40


async def test_one_venue_down_gives_the_others_plus_an_error(
    gateway: httpx.AsyncClient, live_control: httpx.AsyncClient
) -> None:
    await live_control.post("/faults", json={"upstream": "nansen", "mode": "down"})
    body = await gql_post(gateway, BOARD, w={"timeframe": "DAY"}, l=10)
    entries = body["data"]["perp"]["leaderboard"]
    assert entries and {e["venue"] for e in entries} == {"JUPITER"}
    (error,) = body["errors"]
    assert without_request_id(error["extensions"]) == {"code": "UPSTREAM_UNAVAILABLE", "source": "nansen"}
    assert error["path"] == ["perp", "leaderboard"]


async def test_a_token_leaderboard_asks_only_venues_that_rank_one_market(gateway: httpx.AsyncClient) -> None:
    body = await gql_post(gateway, BOARD, w={"timeframe": "WEEK", "token": "BTC"}, l=5)
    assert "errors" not in body, body
    assert {e["venue"] for e in body["data"]["perp"]["leaderboard"]} <= {"HYPERLIQUID"}
    body = await gql_post(gateway, BOARD, w={"timeframe": "WEEK", "token": "BTC", "venue": "JUPITER"})
    assert codes(body) == ["BAD_USER_INPUT"]


async def test_leaderboard_window_errors_are_bad_user_input(gateway: httpx.AsyncClient) -> None:
    for where in ({"timeframe": "DAY", "from": "2025-12-01"}, {"to": "2025-12-01"},
                  {"from": "2025-12-10", "to": "2025-12-01"}, {"from": "2999-01-01"}):
        body = await gql_post(gateway, BOARD, w=where)
        assert codes(body) == ["BAD_USER_INPUT"], where


async def test_unconfigured_sources_say_so_and_never_answer_with_other_data(
    keyless_gateway: httpx.AsyncClient,
) -> None:
    q = "query($t: String!) { perp { trades(where: {trader: $t}) { id } } }"
    for trader, source in ((JUPITER_TRADER, "perpstracker"), (HL_TRADER, "nansen")):
        body = await gql_post(keyless_gateway, q, t=trader)
        assert body["data"] is None
        assert [without_request_id(e["extensions"]) for e in body["errors"]] == [{"code": "SOURCE_NOT_CONFIGURED", "source": source}]
    body = await gql_post(keyless_gateway, BOARD, w={"venue": "JUPITER"})
    assert codes(body) == ["SOURCE_NOT_CONFIGURED"]
    # NIBIRU needs no key: its all-time board answers when named; a windowed board has no venue left
    body = await gql_post(keyless_gateway, BOARD, w={"venue": "NIBIRU"}, l=5)
    assert "errors" not in body and [e["venue"] for e in body["data"]["perp"]["leaderboard"]] == ["NIBIRU"] * 5
    body = await gql_post(keyless_gateway, BOARD, w={}, l=5)
    assert codes(body) == ["SOURCE_NOT_CONFIGURED"] and "NIBIRU" in body["errors"][0]["message"]
    body = await gql_post(keyless_gateway, "{ perp { borrowings(limit: 1) { venue } } }")
    assert body["data"]["perp"]["borrowings"] == [{"venue": "NIBIRU"}]
    ready = (await keyless_gateway.get("/readyz")).json()
    assert ready["upstreams"]["nansen"]["configured"] is False


@pytest.mark.parametrize(("upstream", "source", "query"), [
    ("nansen", "nansen", f'{{ perp {{ trades(where: {{trader: "{HL_TRADER}"}}) {{ id }} }} }}'),
    ("perpstracker", "perpstracker", f'{{ perp {{ trades(where: {{trader: "{JUPITER_TRADER}"}}) {{ id }} }} }}'),
    ("nibiru", "nibiru", "{ perp { borrowings { marketId } } }"),
])
async def test_a_slow_upstream_times_out_with_its_source(
    impatient_gateway: httpx.AsyncClient, live_control: httpx.AsyncClient, upstream: str, source: str, query: str
) -> None:
    await live_control.post("/faults", json={"upstream": upstream, "mode": "slow", "delay": 2.5})
    body = await gql_post(impatient_gateway, query)
    assert [without_request_id(e["extensions"]) for e in body["errors"]] == [{"code": "UPSTREAM_TIMEOUT", "source": source}]


async def test_leaderboard_paging_is_checked_like_every_list(gateway: httpx.AsyncClient) -> None:
    for args in ("limit: -1", "limit: 5000", "offset: -2"):
        body = await gql_post(gateway, f"{{ perp {{ leaderboard(where: {{timeframe: DAY}}, {args}) {{ rank }} }} }}")
        assert codes(body) == ["BAD_USER_INPUT"], args
