"""Two gateway processes on one Redis share the response cache.

Each gateway is its own `gateway serve` process (nothing in memory shared), both pointed at the
test sandbox and at a real redis-server (the `redis_url` fixture).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.cli import free_port
from gateway.settings import Settings

pytestmark = pytest.mark.redis


@contextlib.contextmanager
def gateway_process(sandbox: str, redis_url: str) -> Iterator[str]:
    settings = Settings(sandbox="off").with_sandbox(sandbox)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GATEWAY_", "PERPSTRACKER_", "NANSEN_", "NIBIRU_"))}
    env.update(
        GATEWAY_SANDBOX="off", GATEWAY_PORT=str(port), REDIS_URL=redis_url,
        PERPSTRACKER_API_URL=settings.perpstracker_api_url, PERPSTRACKER_WS_URL=settings.perpstracker_ws_url,
        PERPSTRACKER_API_KEY=settings.perpstracker_api_key.reveal() if settings.perpstracker_api_key else "",
        NANSEN_API_URL=settings.nansen_api_url,
        NANSEN_API_KEY=settings.nansen_api_key.reveal() if settings.nansen_api_key else "",
        NIBIRU_GRAPHQL_URL=settings.nibiru_graphql_url, NIBIRU_WS_URL=settings.nibiru_ws_url,
    )
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve", "--workers", "1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gateway did not start")
            time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


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
