"""The fault matrix: every upstream × every way it can fail × with and without a cached answer.

For each of the three upstreams and each failure mode the sandbox can inject (slow, down, a 5xx, a
429, and the 200s with a bad body: HTML, truncated JSON, the wrong shape, `null`, a huge body):

- cold (nothing cached): the caller gets the mode's coded error with the upstream as `source`;
- warm (an answer cached, past its TTL): the caller gets that answer, marked in
  `extensions.stale` with the upstream as `source`;

either within GATEWAY_UPSTREAM_TIMEOUT + 1 s, and once the fault is cleared, a fresh answer (no
error, not stale) within one TTL. The last half is what a cached bad answer used to break: the
error was served for the TTL after the upstream recovered.

One sandbox process and one gateway serve the whole matrix (short timeout and TTLs, a breaker that
does not open: tests/api/test_upstream_down.py covers the breaker); every case asks for its
own `limit`, so no case ever sees another's cache entry. The warm cases' answers are cached once,
up front, and left to pass their TTL together (one wait of one TTL for the whole matrix).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.cli import sandbox_process
from gateway.settings import Settings
from gateway.sources.perpstracker.endpoints import LIMITS as PERPSTRACKER_LIMITS
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.upstream_helpers import gql
from tests.configure import configure
from tests.servers import serve
from tests.upstream_settings import UNLIMITED

TIMEOUT = 1.0  # GATEWAY_UPSTREAM_TIMEOUT of the matrix's gateway
TTL = 1.0  # the TTL of every endpoint the matrix reads
MAX_BODY = 2**20  # GATEWAY_UPSTREAM_MAX_BODY; the `huge` fault sends four times this

QUERIES = {  # upstream -> (document taking $l, the list it answers)
    "nibiru": ("query($l: Int) { perp { borrowings(limit: $l) { marketId venue } } }", "borrowings"),
    "perpstracker": ("query($l: Int) { perp { leaderboard(where: {venue: JUPITER, timeframe: DAY}, limit: $l) "
                     "{ rank trader } } }", "leaderboard"),
    "nansen": ("query($l: Int) { perp { leaderboard(where: {venue: HYPERLIQUID, timeframe: DAY}, limit: $l) "
               "{ rank trader } } }", "leaderboard"),
}
ENDPOINTS = ("nibiru.borrowings", "perpstracker.leaderboard", "nansen.leaderboard")

FAULTS: dict[str, tuple[dict[str, Any], str]] = {  # mode -> (the sandbox fault, the cold code)
    "slow": ({"mode": "slow", "delay": TIMEOUT + 2}, "UPSTREAM_TIMEOUT"),
    "down": ({"mode": "down"}, "UPSTREAM_UNAVAILABLE"),
    "5xx": ({"mode": "error", "status": 500}, "UPSTREAM_ERROR"),
    "429": ({"mode": "error", "status": 429, "retry_after": 0.2}, "RATE_LIMITED"),
    "html": ({"mode": "html"}, "UPSTREAM_ERROR"),
    "truncated": ({"mode": "truncated"}, "UPSTREAM_ERROR"),
    "wrong_shape": ({"mode": "wrong_shape"}, "UPSTREAM_ERROR"),
    "null": ({"mode": "null"}, "UPSTREAM_ERROR"),
    "huge": ({"mode": "huge", "size": 4 * MAX_BODY}, "UPSTREAM_ERROR"),
}
CASES = [(up, mode, cache) for up in QUERIES for mode in FAULTS for cache in ("cold", "warm")]


@pytest.fixture(scope="module")
def fault_sandbox() -> Iterator[str]:
    """A sandbox of the matrix's own: its faults never reach another test's upstreams."""
    with sandbox_process(live=False, start="now") as base:
        httpx.post(f"{base}/_control/ratelimits", json={"enabled": False})  # the gateway's limits hold
        yield base


@pytest.fixture(scope="module")
def fault_gateway(fault_sandbox: str) -> Iterator[str]:
    base = Settings(sandbox="off", response_cache=False).with_sandbox(fault_sandbox, SANDBOX_KEYS)
    # the matrix is about faults, not budgets: limits (and so each caller's share) far above its calls
    settings = configure(
        base, upstream_timeout=TIMEOUT, upstream_max_body=MAX_BODY, upstream_retries=1,
        breaker_threshold=1_000_000, cache_ttl_overrides=dict.fromkeys(ENDPOINTS, TTL),
        perpstracker_rate_limits=dict.fromkeys(PERPSTRACKER_LIMITS, UNLIMITED), nansen_rate_limits=UNLIMITED)
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def primed(fault_gateway: str) -> dict[int, dict[str, Any]]:
    """The warm cases' answers (by `limit`), cached by the gateway and, on return, past their TTL."""
    answers: dict[int, dict[str, Any]] = {}
    with httpx.Client(base_url=fault_gateway, timeout=30) as client:
        for limit, (upstream, _, cache) in enumerate(CASES, start=1):
            if cache == "warm":
                document, field = QUERIES[upstream]
                answers[limit] = client.post("/graphql", json={"query": document, "variables": {"l": limit}}).json()
                assert fresh(answers[limit], field), answers[limit]
    time.sleep(TTL)  # the passage of time under test: every cached answer is now past its TTL
    return answers


@pytest.fixture
async def faults(fault_sandbox: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{fault_sandbox}/_control", timeout=30) as client:
        try:
            yield client
        finally:
            await client.delete("/faults")


@pytest.fixture
async def gateway(fault_gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fault_gateway, timeout=30) as client:
        yield client


def fresh(body: dict[str, Any], field: str) -> bool:
    return "errors" not in body and "stale" not in body.get("extensions", {}) and bool(body["data"]["perp"][field])


@pytest.mark.parametrize(("upstream", "mode", "cache"), CASES, ids=["-".join(c) for c in CASES])
async def test_an_upstream_fault_is_a_coded_error_or_a_marked_stale_answer_and_recovery_is_fresh(
    gateway: httpx.AsyncClient, faults: httpx.AsyncClient, primed: dict[int, dict[str, Any]],
    upstream: str, mode: str, cache: str,
) -> None:
    document, field = QUERIES[upstream]
    limit = CASES.index((upstream, mode, cache)) + 1  # a cache key of this case's own
    fault, code = FAULTS[mode]
    cached = primed.get(limit)  # warm: cached, past its TTL
    assert (await faults.post("/faults", json={"upstream": upstream, **fault})).status_code == 200

    started = time.monotonic()
    body = await gql(gateway, document, l=limit)
    elapsed = time.monotonic() - started
    if cached is None:
        assert body["data"] is None or body["data"]["perp"] is None, body
        assert [(e["extensions"]["code"], e["extensions"]["source"]) for e in body["errors"]] == [(code, upstream)]
    else:
        assert "errors" not in body and body["data"] == cached["data"], body
        assert [note["source"] for note in body["extensions"]["stale"]] == [upstream]
    assert elapsed < TIMEOUT + 1, f"answered after {elapsed:.2f} s"

    await faults.delete("/faults")
    recovered = time.monotonic()
    while not fresh(body := await gql(gateway, document, l=limit), field):
        assert time.monotonic() - recovered < TTL, f"still not fresh one TTL after recovery: {body}"
        await asyncio.sleep(0.05)  # polling the upstream-facing answer: there is no event to await
