"""Two gateway processes on one Redis share the response cache.

Each gateway is its own `gateway serve` process (nothing in memory shared), both pointed at the
test sandbox and at a real redis-server (the `redis_url` fixture).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.cli import gateway_process as serve_process
from gateway.cli import upstream_env
from gateway.settings import Settings
from sandbox.state import KEYS as SANDBOX_KEYS

pytestmark = pytest.mark.redis


@contextlib.contextmanager
def gateway_process(sandbox: str, redis_url: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "PERPSTRACKER_", "NANSEN_", "NIBIRU_"))}
    env.update(upstream_env(Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)), GATEWAY_SANDBOX="off",
               REDIS_URL=redis_url)
    with serve_process(env) as (base, _):
        yield base


async def test_the_second_process_answers_from_the_shared_cache(
    live_sandbox_url: str, live_control: httpx.AsyncClient, redis_url: str
) -> None:
    await live_control.post("/ratelimits", json={"enabled": False})
    # a board no other test asks for: a limit drawn at random
    limit = 200 + secrets.randbelow(500)
    query = (f"{{ perp {{ leaderboard(where: {{venue: JUPITER, timeframe: YEAR}}, limit: {limit}) "
             "{ rank trader pnl roi winRate } } }")
    with gateway_process(live_sandbox_url, redis_url) as one, gateway_process(live_sandbox_url, redis_url) as two:
        async with httpx.AsyncClient(timeout=30) as client:
            first = await client.post(f"{one}/graphql", json={"query": query})
            assert first.headers["x-gateway-cache"] == "MISS" and "errors" not in first.json()
            since = time.time()
            second = await client.post(f"{two}/graphql", json={"query": query})
            by_get = await client.get(f"{two}/graphql", params={"query": query})
    assert second.headers["x-gateway-cache"] == "HIT" and second.content == first.content
    log = (await live_control.get("/requests", params={"since": since})).json()
    assert [r for r in log if r["method"] != "WS"] == [], "the second process made no upstream request"
    assert by_get.headers["x-gateway-cache"] == "HIT"
    directive, seconds = by_get.headers["cache-control"].split(", max-age=")
    assert directive == "public" and 0 < int(seconds) <= 60
