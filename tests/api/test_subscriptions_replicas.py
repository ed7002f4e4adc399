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

WAIT = 45.0  # bounds every wait, so a broken stream fails instead of hanging
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


async def topic_state(gateway_ws: str, topic: str, *, role: str, state: str) -> None:
    """Wait (bounded: 45 s) until the gateway's /readyz shows `topic` with this role and bridge
    state. A subscription is accepted once its replica's bridge took its baseline (or once another
    replica is known to hold it): from then on every upstream event is owed to it, so a test that
    injects after this point needs no retries and can await the event itself."""
    base = gateway_ws.replace("ws", "http", 1).removesuffix("/graphql")
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        for _ in range(450):
            topics = (await client.get("/readyz")).json().get("streams", {}).get("topics", {})
            found = topics.get(topic, {})
            if found.get("role") == role and found.get("state") == state and found.get("subscribers"):
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{topic} never became {role}/{state} on {base}: {found}")


async def inject(sandbox: httpx.AsyncClient, trader: str, action: str) -> None:
    r = await sandbox.post("/_control/inject", json={
        "venue": "NIBIRU", "trader": trader, "symbol": "BTC", "action": action, "is_long": True,
        "size_usd": 40_000, "collateral_usd": 4_000})
    assert r.status_code == 200, r.text


async def change_types(ws: ClientConnection) -> list[str]:
    """The next event on `ws` (awaited, bounded only so a broken stream fails the test)."""
    message = await recv_json(ws, within=WAIT)
    return [item["tradeChangeType"] for item in message["payload"]["data"]["perpTradeHistory"]]


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
            topic = key.removeprefix(LEASE_PREFIX)
            holder_ws, other_ws = (url_a, url_b) if pid == proc_a.pid else (url_b, url_a)
            await topic_state(holder_ws, topic, role="bridged here", state="live")
            await topic_state(other_ws, topic, role="following", state="elsewhere")
            async with httpx.AsyncClient(base_url=own_sandbox, timeout=30) as sandbox:
                # One upstream stream (on the lease holder); the other replica gets it through Redis.
                await inject(sandbox, trader, "open")
                on_a, on_b = await change_types(ws_a), await change_types(ws_b)
                assert on_a == on_b and on_a[0] == "position_opened"

                holder, survivor, survivor_ws = (
                    (proc_a, ws_b, url_b) if pid == proc_a.pid else (proc_b, ws_a, url_a))
                holder.kill()  # no release: the lease must expire
                holder.wait(timeout=10)
                new_pid = await holder_pid(redis, key, not_pid=pid)
                assert new_pid == (proc_b.pid if holder is proc_a else proc_a.pid)
                await topic_state(survivor_ws, topic, role="bridged here", state="live")

                await inject(sandbox, trader, "close")
                assert (await change_types(survivor))[0] == "position_closed_user"
            await ws_a.close()
            await ws_b.close()
    finally:
        await redis.aclose()
