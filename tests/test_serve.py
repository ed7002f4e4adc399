"""`gateway serve` as `make run` runs it: embedded sandbox, health, GraphQL, clean shutdown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from gateway.cli import free_port

UPSTREAM_VARS = ("PERPSTRACKER_API_URL", "PERPSTRACKER_API_KEY", "PERPSTRACKER_WS_URL", "NANSEN_API_URL",
                 "NANSEN_API_KEY", "NIBIRU_GRAPHQL_URL", "NIBIRU_WS_URL", "PERPSTRACKER_WEBHOOK_SECRET")


def test_serve_with_no_configuration_serves_the_sandbox() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in UPSTREAM_VARS}
    env.update(GATEWAY_SANDBOX="auto", GATEWAY_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "gateway", "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            try:
                health = httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "gateway serve did not come up"
                time.sleep(0.2)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        ready = httpx.get(f"{base}/readyz", timeout=5).json()
        assert {u["venue"] for u in ready["upstreams"].values() if u["configured"]} == {
            "NIBIRU", "JUPITER", "HYPERLIQUID"}
        r = httpx.post(f"{base}/graphql", json={"query": "{ perp { borrowings(limit: 2) { marketId venue } } }"},
                       timeout=10)
        assert r.status_code == 200
        body = r.json()
        assert "errors" not in body, body
        assert [b["venue"] for b in body["data"]["perp"]["borrowings"]] == ["NIBIRU", "NIBIRU"]
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
    assert proc.returncode == 0, output
    # The embedded sandbox is the gateway's child: it is gone with it, and said where it was.
    assert "sandbox upstreams at" in output
