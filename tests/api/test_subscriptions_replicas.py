"""Two gateway processes on one Redis: an event reaches subscribers on both, one process holds the
upstream stream, and killing it moves the stream to the other, whose subscriber keeps receiving."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from redis import asyncio as aioredis
from websockets.asyncio.client import ClientConnection

from gateway.cli import sandbox_process
from gateway.streams.lease import LEASE_PREFIX
from sandbox import addresses
from tests.api.ws_helpers import connect, gateway_process, recv_json, subscribe

pytestmark = pytest.mark.redis

QUERY = "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id tradeChangeType venue } }"


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[str]:
    with sandbox_process(live=False, start="now") as base:
        yield base


async def holder_pid(redis: Any, key: str, not_pid: int | None = None) -> int:
    """The pid in the lease's value (host:pid:random), once set (and different from `not_pid`)."""
    for _ in range(300):  # bounded: 30 s
        value = await redis.get(key)
        if value is not None:
            pid = int(value.decode().split(":")[1])
            if pid != not_pid:
                return pid
        await asyncio.sleep(0.1)
    raise AssertionError(f"nobody took the lease {key}")


async def inject_until_received(sandbox: httpx.AsyncClient, trader: str, sockets: list[ClientConnection],
                                action: str) -> list[dict[str, Any]]:
    """Inject a trade until the first socket gets an event (streams open asynchronously), then
    collect that event from every socket."""
    for attempt in range(30):
        # an open can be repeated until the stream is up; a close happens once, then we wait for it
        if attempt == 0 or action == "open":
            r = await sandbox.post("/_control/inject", json={
                "venue": "NIBIRU", "trader": trader, "symbol": "BTC", "action": action, "is_long": True,
                "size_usd": 40_000, "collateral_usd": 4_000})
            assert r.status_code == 200, r.text
        try:
            first = await recv_json(sockets[0], within=1.0)
        except TimeoutError:
            continue
        return [first] + [await recv_json(ws) for ws in sockets[1:]]
    raise AssertionError("no event arrived")


async def test_two_replicas_share_events_and_the_stream_moves_when_its_holder_dies(
    redis_url: str, own_sandbox: str
) -> None:
    trader = addresses.nibiru_address(random.Random(f"replicas-{time.time()}"))
    key = f"{LEASE_PREFIX}history:NIBIRU:{trader}"
    env = {"REDIS_URL": redis_url, "GATEWAY_STREAM_LEASE_TTL": "1", "GATEWAY_STREAM_LINGER": "30"}
    redis = aioredis.Redis.from_url(redis_url)
    try:
        with gateway_process(own_sandbox, **env) as (url_a, proc_a), \
                gateway_process(own_sandbox, **env) as (url_b, proc_b):
            ws_a, ws_b = await connect(url_a), await connect(url_b)
            await subscribe(ws_a, "a", QUERY, {"t": trader})
            await subscribe(ws_b, "b", QUERY, {"t": trader})
            pid = await holder_pid(redis, key)
            assert pid in (proc_a.pid, proc_b.pid)
            async with httpx.AsyncClient(base_url=own_sandbox, timeout=30) as sandbox:
                # One upstream stream (on the lease holder); the other replica gets it through Redis.
                got = await inject_until_received(sandbox, trader, [ws_a, ws_b], "open")
                assert got[0]["payload"] == got[1]["payload"]
                assert got[0]["payload"]["data"]["perpTradeHistory"][0]["tradeChangeType"] == "position_opened"

                holder, survivor = (proc_a, ws_b) if pid == proc_a.pid else (proc_b, ws_a)
                holder.kill()  # no release: the lease must expire
                holder.wait(timeout=10)
                new_pid = await holder_pid(redis, key, not_pid=pid)
                assert new_pid == (proc_b.pid if holder is proc_a else proc_a.pid)

                after = await inject_until_received(sandbox, trader, [survivor], "close")
                assert after[0]["payload"]["data"]["perpTradeHistory"][0]["tradeChangeType"] == "position_closed_user"
            await ws_a.close()
            await ws_b.close()
    finally:
        await redis.aclose()
