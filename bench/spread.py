"""Subscription benchmark, spread variant: N subscribers over T distinct NIBIRU traders, one worker.

`python -m bench subscriptions --traders 1000 --subscribers 10000` runs this instead of the
one-stream benchmark: socket i subscribes to `perpTradeHistory` of trader i % T, so the gateway
runs T topics (T Sai Keeper subscriptions) at once. Each round injects one trade for every trader
(through /_control/inject); every socket is owed one event per round. Reported: completeness
(events received / owed), p50/p99/max latency (injection of that trader's trade to the `next` on
the socket), and the number of upstream WebSockets the sandbox sees open to Sai Keeper (one per
500 subscriptions: `gateway/sources/nibiru/pool.py`), read from /_control/state while every topic runs.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.subscriptions import LoadGenerator, gateway_for, percentile, rss_mb
from sandbox import addresses


def run_spread(sandbox: str, n: int, traders: int, rounds: int) -> dict[str, Any]:
    rng = random.Random(f"spread-{time.time()}")
    who = [addresses.nibiru_address(rng) for _ in range(traders)]
    control = httpx.Client(base_url=f"{sandbox}/_control", timeout=30)
    actions = [{"action": "open", "is_long": True}, {"action": "close", "is_long": True}]

    def inject_all(k: int) -> list[float]:
        sent = []
        for trader in who:
            sent.append(time.time() * 1000)
            control.post("/inject", json={"venue": "NIBIRU", "trader": trader, "symbol": "ETH", "size_usd": 20_000,
                                          "collateral_usd": 2_000, **actions[k % 2]}).raise_for_status()
        return sent

    with gateway_for(sandbox) as (base, pid), tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/times.json"
        variables = json.dumps([{"t": t} for t in who])
        gen = LoadGenerator(base.replace("http", "ws", 1) + "/graphql", n, {}, out, variables_json=variables)
        try:
            started = time.monotonic()
            gen.expect("READY", timeout=max(120.0, n / 20))
            connect_s = time.monotonic() - started
            sockets = control.get("/state").json()["websockets"]["nibiru"]
            inject_all(0)  # warm-up: one event per socket, then measure from a clean slate
            warm = gen.wait_received(n, timeout=60.0)
            inject_all(1)  # close the warm-up positions
            gen.wait_received(2 * n, timeout=60.0)
            gen.send("RESET")
            gen.expect("RESET", 30)
            rss_subscribed = rss_mb(pid)
            load = os.getloadavg()[0]
            sent_at = [inject_all(k) for k in range(rounds)]
            received = gen.wait_received(n * rounds, timeout=60.0)
            sockets_after = control.get("/state").json()["websockets"]["nibiru"]
            gen.send("DONE")
            gen.expect("WROTE", 120)
            result = json.loads(Path(out).read_text())
        finally:
            gen.stop()
    latencies = [t - sent_at[k][i % traders] for i, per_socket in enumerate(result["times"])
                 for k, t in enumerate(per_socket[:rounds])]
    return {
        "subscribers": n, "traders": traders, "rounds": rounds, "connect_s": round(connect_s, 1),
        "warmup_received": warm, "completeness": received / (n * rounds), "errors": result["errors"],
        "closed": result["closed"], "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies or [0]), "upstream_sockets": sockets, "upstream_sockets_after": sockets_after,
        "rss_subscribed_mb": rss_subscribed, "load_1min": round(load, 2),
    }


def report(row: dict[str, Any], command: str, machine: str) -> str:
    return "\n".join([
        "## Subscriptions spread over many traders: a few multiplexed upstream sockets",
        "",
        f"`{command}` — {machine}; load average (1 min) when measuring: {row['load_1min']} on a machine "
        "shared with other engineers' test runs.",
        "",
        f"{row['subscribers']:,} graphql-transport-ws subscribers (Node, `bench/subscribers.mjs`) over "
        f"{row['traders']:,} distinct NIBIRU traders' `perpTradeHistory` (socket i → trader i mod "
        f"{row['traders']}), one gateway worker, the sandbox (`--no-live`) and the generator on the same "
        f"machine. {row['rounds']} rounds, each one trade injected per trader (one event owed per socket per "
        "round). Upstream sockets: WebSockets open to the sandbox's Sai Keeper while every topic runs.",
        "",
        "| subscribers | traders | received | p50 | p99 | max | upstream sockets | RSS subscribed | connect all |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {row['subscribers']:,} | {row['traders']:,} | {row['completeness'] * 100:.2f}% | {row['p50_ms']:.0f} ms "
        f"| {row['p99_ms']:.0f} ms | {row['max_ms']:.0f} ms | {row['upstream_sockets']} (after: "
        f"{row['upstream_sockets_after']}) | {row['rss_subscribed_mb']:.0f} MB | {row['connect_s']:.0f} s |",
        "",
    ])
