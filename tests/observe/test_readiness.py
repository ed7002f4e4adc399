"""`/readyz` tells the truth: 503 with reasons when a configured Redis is down or every upstream
of a configured venue is failing; per upstream its circuit and last success, per stream its state."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import httpx
import pytest

from gateway.cli import free_port
from gateway.observe.readiness import stream_report
from tests.api.upstream_helpers import gateway_client, gql, policy_settings

HL_ONLY = "{ perp { borrowings(where: {venue: HYPERLIQUID}) { marketId } } }"
NIBIRU_ONLY = "{ perp { borrowings(limit: 1) { marketId } } }"


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A private redis-server (this test stops it); yields its URL and process."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port, workdir = free_port(), tempfile.mkdtemp(prefix="gateway-redis-")
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
                             "no", "--dir", workdir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.redis
async def test_a_stopped_redis_makes_the_replica_not_ready(live_sandbox_url: str) -> None:
    with redis_server() as (url, proc):
        async with gateway_client(policy_settings(live_sandbox_url, redis_url=url)) as gateway:
            ready = await gateway.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["redis"] == {"configured": True, "reachable": True}
            proc.terminate()
            proc.wait(timeout=10)
            down = await gateway.get("/readyz")
            assert down.status_code == 503
            body = down.json()
            assert body["status"] == "not ready" and body["redis"]["reachable"] is False
            assert len(body["reasons"]) == 1 and body["reasons"][0].startswith("redis unreachable")


async def test_an_upstream_failing_until_its_breaker_opens_makes_the_replica_not_ready(
    live_sandbox_url: str, live_control: httpx.AsyncClient
) -> None:
    settings = policy_settings(live_sandbox_url, breaker_threshold=2, breaker_cooldown=600.0, upstream_retries=0)
    async with gateway_client(settings) as gateway:
        assert "errors" not in await gql(gateway, NIBIRU_ONLY)
        ready = await gateway.get("/readyz")
        assert ready.status_code == 200
        nibiru = ready.json()["upstreams"]["nibiru"]
        assert nibiru["configured"] and nibiru["circuit"] == "closed" and nibiru["lastSuccessAge"] >= 0
        assert ready.json()["upstreams"]["nansen"]["lastSuccessAge"] is None  # not called yet

        await live_control.post("/faults", json={"upstream": "nansen", "mode": "error", "status": 500})
        for _ in range(2):
            failed = await gql(gateway, HL_ONLY)
            assert failed["errors"][0]["extensions"]["source"] == "nansen"
        down = await gateway.get("/readyz")
        assert down.status_code == 503
        body = down.json()
        assert body["upstreams"]["nansen"]["circuit"] == "open" and body["upstreams"]["nansen"]["failures"] == 2
        assert body["upstreams"]["nibiru"]["circuit"] == "closed"
        assert len(body["reasons"]) == 1 and body["reasons"][0].startswith("HYPERLIQUID: every upstream is failing")


def test_streams_report_their_role_and_keep_their_bridge_state() -> None:
    stats = {"topics": {"a": {"subscribers": 2, "bridge": True, "bridge_starts": 1, "state": "live"},
                        "b": {"subscribers": 1, "bridge": False, "bridge_starts": 0, "state": "elsewhere"},
                        "c": {"subscribers": 0, "bridge": True, "bridge_starts": 1, "state": "failed"}},
             "counters": {"events": 3}}
    topics = stream_report(stats)["topics"]
    assert [topics[t]["role"] for t in "abc"] == ["bridged here", "following", "lingering"]
    assert [topics[t]["state"] for t in "abc"] == ["live", "elsewhere", "failed"]  # the hub's, untouched
