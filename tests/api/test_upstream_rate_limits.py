"""A flood of distinct, uncached queries: the gateway paces its upstream calls so that no upstream
ever refuses one (no 429) and no documented per-second or per-minute count is exceeded, in any
calendar window the upstream counts or any sliding one; a caller that cannot wait gets RATE_LIMITED.

The module runs its own sandbox, so its rate-limit windows and request log hold this traffic only.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.cli import sandbox_process
from sandbox.nansen.access import RATE_LIMITS as NANSEN_WINDOWS
from sandbox.perpstracker.limits import CATEGORY_LIMITS
from tests.api.helpers import traders
from tests.api.upstream_helpers import (
    HL_BOARD,
    JUPITER_BOARD,
    TRADES,
    gateway_client,
    gql,
    policy_settings,
    upstream_requests,
)


@pytest.fixture(scope="module")
def quiet_sandbox_url() -> Iterator[str]:
    with sandbox_process(live=False, start="now") as base:
        yield base


@pytest.fixture
async def control(quiet_sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{quiet_sandbox_url}/_control", timeout=30) as client:
        await client.post("/ratelimits", json={"enabled": True})
        yield client


def most_per_window(times: list[float], seconds: float) -> tuple[int, int]:
    """(most calls in one calendar window, most in any sliding window) of `seconds`."""
    if not times:
        return 0, 0
    calendar = max(Counter(math.floor(t / seconds) for t in times).values())
    ordered, sliding, j = sorted(times), 0, 0
    for i, t in enumerate(ordered):
        while ordered[j] <= t - seconds:
            j += 1
        sliding = max(sliding, i - j + 1)
    return calendar, sliding


def assert_within(log: list[dict[str, Any]], windows: tuple[tuple[int, float], ...], what: str) -> None:
    times = [r["ts"] for r in log]
    for limit, seconds in windows:
        calendar, sliding = most_per_window(times, seconds)
        assert calendar <= limit and sliding <= limit, f"{what}: {calendar}/{sliding} calls in {seconds:g} s > {limit}"


async def test_a_flood_of_distinct_queries_never_trips_an_upstream_limit(
    quiet_sandbox_url: str, control: httpx.AsyncClient
) -> None:
    # JUPITER traders with one page of history each, so the flood's size is known and bounded
    jupiter = [t["address"] for t in await traders(control, "JUPITER") if t["positions"] <= 18][:8]
    hyperliquid = [t["address"] for t in await traders(control, "HYPERLIQUID")][:15]
    documents = ([(JUPITER_BOARD, {"l": n}) for n in range(1, 13)] + [(HL_BOARD, {"l": n}) for n in range(1, 6)]
                 + [(TRADES, {"t": t}) for t in jupiter + hyperliquid])
    settings = policy_settings(quiet_sandbox_url, rate_limit_wait=30.0, upstream_timeout=30.0)
    async with gateway_client(settings) as gateway:
        since = time.time()
        bodies = await asyncio.gather(*(gql(gateway, document, **v) for document, v in documents))
    assert [b.get("errors") for b in bodies] == [None] * len(documents)  # every call waited for its slot

    pt = await upstream_requests(control, "perpstracker", since)
    nansen = await upstream_requests(control, "nansen", since)
    assert [r for r in pt + nansen if r["status"] != 200] == []  # no 429, nothing else refused
    by_category = Counter(r["category"] for r in pt)
    assert by_category["Leaderboard"] == 12 and by_category["Trader profiles"] == len(jupiter)
    assert by_category["Historical data"] >= len(jupiter) and len(nansen) >= 5 + 2 * len(hyperliquid)
    for category, (burst, sustained) in CATEGORY_LIMITS.items():
        assert_within([r for r in pt if r["category"] == category], ((burst, 1.0), (sustained, 60.0)), category)
    assert_within(nansen, NANSEN_WINDOWS, "nansen")


async def test_a_caller_that_cannot_wait_for_a_slot_is_rate_limited_not_the_upstream(
    quiet_sandbox_url: str, control: httpx.AsyncClient
) -> None:
    settings = policy_settings(quiet_sandbox_url, rate_limit_wait=0.2, perpstracker_rate_limits={"leaderboard": (2, 4)})
    async with gateway_client(settings) as gateway:
        since = time.time()
        bodies = await asyncio.gather(*(gql(gateway, JUPITER_BOARD, l=n) for n in range(20, 30)))
    limited = [e for b in bodies for e in b.get("errors", [])]
    assert len(limited) >= 6 and {e["extensions"]["code"] for e in limited} == {"RATE_LIMITED"}
    assert all(e["extensions"]["source"] == "perpstracker" and e["extensions"]["retryAfter"] > 0 for e in limited)
    log = await upstream_requests(control, "perpstracker", since)
    assert 2 <= len(log) <= 4 and all(r["status"] == 200 for r in log)
