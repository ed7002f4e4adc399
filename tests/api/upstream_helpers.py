"""Helpers for the upstream-policy integration tests (tests/api/test_upstream_*.py).

Each test builds its own gateway with the real policy defaults (plus the overrides it names) and
`response_cache=False`, so only the upstream layer can save a call; upstream traffic is read from
the sandbox's own request log, never from the gateway.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gateway.app import create_app
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.configure import configure
from tests.servers import serve
from tests.upstream_settings import one_caller

JUPITER_BOARD = "query($l: Int) { perp { leaderboard(where: {venue: JUPITER, timeframe: DAY}, limit: $l) { rank trader pnl } } }"
HL_BOARD = "query($l: Int) { perp { leaderboard(where: {venue: HYPERLIQUID, timeframe: DAY}, limit: $l) { rank trader pnl } } }"
TRADES = "query($t: String!) { perp { trades(where: {trader: $t}) { id venue isOpen collateralAmount } } }"


def policy_settings(sandbox_url: str, **overrides: Any) -> Settings:
    """These tests are about the upstream budgets with one caller (127.0.0.1): that caller may use
    all of them (the per-caller shares have their own tests, tests/edge/test_fairness.py)."""
    base = one_caller(Settings(sandbox="off", response_cache=False).with_sandbox(sandbox_url, SANDBOX_KEYS))
    return configure(base, **overrides)


@contextlib.asynccontextmanager
async def gateway_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    with serve(create_app(settings)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            yield client


async def gql(client: httpx.AsyncClient, query: str, trace: str | None = None, **variables: Any) -> dict[str, Any]:
    """POST a query; with `trace` (32 hex digits) as the caller's W3C trace, which the gateway passes
    on to every upstream call it makes for it (see `upstream_requests(trace=...)`)."""
    headers = {"traceparent": f"00-{trace}-{'1' * 16}-01"} if trace else None
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def upstream_requests(control: httpx.AsyncClient, upstream: str, since: float,
                            path: str | None = None, method: str | None = None,
                            trace: str | None = None) -> list[dict[str, Any]]:
    """The sandbox's log of requests to `upstream` that arrived since `since` (optionally one path
    or one method only: the session's other gateways keep WebSockets to the same sandbox, and a
    bridge closing one is logged as a `WS` request to the same path; or only those made for the
    caller's trace `trace`: the other gateways' bridges also query the same upstream)."""
    log: list[dict[str, Any]] = (await control.get("/requests", params={"upstream": upstream, "since": since})).json()
    return [r for r in log if (path is None or r["path"] == path) and (method is None or r["method"] == method)
            and (trace is None or trace in (r.get("traceparent") or ""))]
