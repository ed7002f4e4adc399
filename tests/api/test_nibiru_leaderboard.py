"""NIBIRU in the cross-venue `perp.leaderboard` (with `where`), over real sockets to the simulator.

The rows are Sai Keeper's PnL board (the simulator sums the NIBIRU history: realized PnL of closing
events, USD size of opening ones), read with the gateway's own document and paged past Sai Keeper's
cap of 100 rows; the gateway's fields are mapped from Sai's where Sai has the figure.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.cli import sandbox_process
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.helpers import codes, gql_post
from tests.servers import serve
from tests.upstream_settings import without_policies

SAI_ROW = "rank reward trader traderEvmAddress realizedPnlTotalUsd roiTotal capitalUsedUsd volumeTotalUsd"
BOARD = ("query($w: PerpLeaderboardFilter!, $l: Int, $o: Int) { perp { leaderboard(where: $w, limit: $l, offset: $o) "
         f"{{ venue label pnl roi volume winRate trades accountValue {SAI_ROW} }} }} }}")
HISTORY = ("query($t: String!, $o: Int) { perp { tradeHistory(where: {trader: $t}, limit: 100, offset: $o) "
           "{ tradeChangeType realizedPnlCollateral trade { collateralAmount leverage } } } }")


async def _sai(sandbox_url: str, query: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        body: dict[str, Any] = (await client.post(f"{sandbox_url}/nibiru/query",
                                                  json={"query": query, "variables": variables})).json()
    assert "errors" not in body, body
    return body


async def _sai_board(sandbox_url: str) -> list[dict[str, Any]]:
    """Sai Keeper's whole board, paged by 100."""
    rows: list[dict[str, Any]] = []
    while True:
        page = (await _sai(sandbox_url, f"query($o: Int) {{ perp {{ leaderboard(limit: 100, offset: $o) {{ {SAI_ROW} }} }} }}",
                           o=len(rows)))["data"]["perp"]["leaderboard"]
        rows.extend(page)
        if len(page) < 100:
            return rows


def _expected(row: dict[str, Any]) -> dict[str, Any]:
    """The gateway's entry for one of Sai's rows: Sai's fields as they came, pnl and volume from them,
    the figures Sai's board lacks null (roiTotal's unit is unknown, so roi is not derived)."""
    return {"venue": "NIBIRU", "label": None, "pnl": row["realizedPnlTotalUsd"], "roi": None,
            "volume": row["volumeTotalUsd"], "winRate": None, "trades": None, "accountValue": None, **row}


@pytest.fixture(scope="module")
def crowded_sandbox_url() -> Iterator[str]:
    """A sandbox of its own with more NIBIRU traders than one page of Sai Keeper's board."""
    with sandbox_process(live=False, start="now", traders=150) as base:
        yield base


@pytest.fixture
async def crowded_gateway(crowded_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = without_policies(Settings(sandbox="off").with_sandbox(crowded_sandbox_url, SANDBOX_KEYS))
    with serve(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield client


async def test_a_nibiru_board_is_sai_keepers_board_paged_past_its_cap(crowded_gateway: httpx.AsyncClient,
                                                                       crowded_sandbox_url: str) -> None:
    board = await _sai_board(crowded_sandbox_url)
    assert len(board) > 110, "the simulation has more NIBIRU traders than one upstream page"
    body = await gql_post(crowded_gateway, BOARD, w={"venue": "NIBIRU"}, l=105, o=5)
    assert "errors" not in body, body
    assert body["data"]["perp"]["leaderboard"] == [_expected(r) for r in board[5:110]]


async def test_nibiru_figures_are_the_simulated_history(gateway: httpx.AsyncClient, live_sandbox_url: str) -> None:
    """The top NIBIRU trader's pnl is the sum of its realized PnL in the trade history (USDC: 1e6 per USD)."""
    body = await gql_post(gateway, BOARD, w={"venue": "NIBIRU"}, l=1)
    (top,) = body["data"]["perp"]["leaderboard"]
    realized: float = 0.0
    offset = 0
    while True:
        page = (await _sai(live_sandbox_url, HISTORY, t=top["trader"], o=offset))["data"]["perp"]["tradeHistory"]
        realized += sum(h["realizedPnlCollateral"] or 0 for h in page)
        offset += len(page)
        if len(page) < 100:
            break
    assert top["rank"] == 1 and top["pnl"] == top["realizedPnlTotalUsd"]
    assert abs(top["pnl"] - realized / 1_000_000) < 0.01 * max(1.0, abs(top["pnl"]))


async def test_nibiru_has_all_time_totals_only_so_a_window_is_refused_and_merged_boards_leave_it_out(
        gateway: httpx.AsyncClient) -> None:
    """Sai Keeper's board has no window: ranked against another venue's day it would mislead, so
    NIBIRU answers only when named without a window, and a merged (windowed) board leaves it out."""
    for window in ({"timeframe": "DAY"}, {"from": "2026-11-01"}, {"timeframe": "YEAR"}):
        body = await gql_post(gateway, BOARD, w={"venue": "NIBIRU", **window})
        assert codes(body) == ["BAD_USER_INPUT"], window
        assert "all-time" in body["errors"][0]["message"]
    body = await gql_post(gateway, BOARD, w={"timeframe": "DAY"}, l=1000)
    assert "errors" not in body, body
    entries = body["data"]["perp"]["leaderboard"]
    assert {e["venue"] for e in entries} == {"JUPITER", "HYPERLIQUID"}
    assert all(e["reward"] is None and e["realizedPnlTotalUsd"] is None for e in entries), \
        "Sai's own fields are null for the other venues"


async def test_nibiru_takes_no_token(gateway: httpx.AsyncClient) -> None:
    body = await gql_post(gateway, BOARD, w={"venue": "NIBIRU", "token": "BTC"})
    assert codes(body) == ["BAD_USER_INPUT"]
    body = await gql_post(gateway, BOARD, w={"timeframe": "WEEK", "token": "BTC"}, l=50)
    assert "errors" not in body
    assert "NIBIRU" not in {e["venue"] for e in body["data"]["perp"]["leaderboard"]}
