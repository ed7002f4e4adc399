"""No API key in any response body or log line, failures included (a real `gateway serve`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from gateway.cli import free_port
from sandbox.state import NANSEN_KEY, PERPSTRACKER_KEY
from tests.upstream_settings import without_policies_env

QUERIES = [
    '{ perp { trades(where: {trader: "DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump"}) { id venue } } }',
    '{ perp { trades(where: {trader: "0xa312114b5795dff9b8db50474dd57701aa78ad1e"}) { id venue } } }',
    '{ perp { tradeHistory(limit: 5) { id } } }',
    '{ perp { leaderboard(where: {timeframe: DAY}, limit: 5) { venue trader } } }',
    '{ perp { borrowing(collateralId: 1, marketId: 1, venue: JUPITER) { price } } }',
    '{ perp { borrowings(where: {venue: HYPERLIQUID}) { marketId } } }',
    '{ perp { trades(where: {trader: "nope"}) { id } } }',
    '{ perp { nope } }',
]


def test_keys_never_reach_responses_or_logs(sandbox_url: str) -> None:
    port = free_port()
    env = dict(os.environ)
    env.update(
        GATEWAY_SANDBOX="off", GATEWAY_PORT=str(port),
        PERPSTRACKER_API_URL=f"{sandbox_url}/perpstracker/api", PERPSTRACKER_API_KEY=PERPSTRACKER_KEY,
        NANSEN_API_URL=f"{sandbox_url}/nansen", NANSEN_API_KEY=NANSEN_KEY,
        NIBIRU_GRAPHQL_URL=f"{sandbox_url}/nibiru/query",
    )
    env.update(without_policies_env())  # each fault round must reach the upstream, not a cached answer
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    bodies: list[str] = []
    control = httpx.Client(base_url=f"{sandbox_url}/_control", timeout=10)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as client:
            for mode in (None, "error", "down"):
                for upstream in ("perpstracker", "nansen", "nibiru"):
                    if mode:
                        control.post("/faults", json={"upstream": upstream, "mode": mode, "status": 401})
                for q in QUERIES:
                    r = client.post("/graphql", json={"query": q})
                    assert r.status_code < 500
                    bodies.append(r.text)
                control.delete("/faults")
            bodies.append(client.get("/graphql", headers={"Accept": "text/html"}).text)
            bodies.append(client.get("/readyz").text)
    finally:
        control.delete("/faults")
        control.close()
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=20)
    assert any("UPSTREAM_ERROR" in b for b in bodies) and any("UPSTREAM_UNAVAILABLE" in b for b in bodies)
    assert "POST /graphql" in output, "the access log was captured"
    for key in (PERPSTRACKER_KEY, NANSEN_KEY):
        assert not any(key in b for b in bodies), f"{key} leaked into a response"
        assert key not in output, f"{key} leaked into the logs"
