"""Subscription benchmark: N graphql-transport-ws subscribers to one stream, one worker.

For each N: a fresh gateway process (`gateway serve --workers 1`, against a `gateway sandbox
--no-live` process), a Node load generator (bench/subscribers.mjs) holding N sockets subscribed to
the same `perpTradeHistory` of one NIBIRU trader, then E trades injected through the sandbox's
/_control/inject, `interval` seconds apart. The generator stamps every `next` on every socket;
latency is receipt time minus the time the injection was sent (same machine, same clock), so it
covers sandbox → Sai Keeper subscription → bridge → hub → shared execution → every socket.
Reports p50/p99/max latency, completeness (messages received / N×E) and the gateway's RSS per
subscriber ((RSS with N subscribed − RSS before) / N), and records them in docs/benchmarks.md.

    python -m bench subscriptions [--subscribers 1000,5000,10000] [--events 20] [--interval 1.0]

Everything targets 127.0.0.1; every wait is bounded; RLIMIT_NOFILE is raised to its hard limit.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty, Queue
from typing import Any

import httpx

from bench.report import machine, today, write_section
from gateway.cli import gateway_process, sandbox_process
from sandbox import addresses

ROOT = Path(__file__).resolve().parents[1]
QUERY = ("subscription($t: String!) { perpTradeHistory(where: {trader: $t}) "
         "{ id tradeChangeType venue market trader sizeDeltaUsd block { block_ts } trade { id isOpen isLong } } }")
MAX_SUBSCRIBERS = 20_000
NOTE = """What it took: one execution per distinct operation (the same serialized payload for every socket, only
the operation id spliced in; executing per subscriber costs ~6 µs per field per socket), per-message
deflate off, and garbage-collector tuning in the serving process (`gateway/ws/server.py::tune_gc`).
Measured on this machine before the GC tuning, at 10,000 subscribers: p50 180–220 ms but p99
1.2–1.6 s, because every few events a full collection walked every socket's objects for 0.9–1.3 s
(seen with a `gc.callbacks` timer); with a young-generation threshold of 50,000 and start-up
objects frozen, those stalls are gone. The remaining cost is per socket: one ASGI send and one
`write` per subscriber per event, on the gateway's single core, while the load generator uses the
other. Bottleneck beyond this: that per-socket send loop (about 15–20 µs per socket per event here).
"""


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def gateway_for(sandbox: str) -> Iterator[tuple[str, int]]:
    ws = sandbox.replace("http", "ws", 1)
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PERPSTRACKER_API_KEY", "NANSEN_API_KEY")}
    env.update(GATEWAY_SANDBOX="off", NIBIRU_GRAPHQL_URL=f"{sandbox}/nibiru/query",
               NIBIRU_WS_URL=f"{ws}/nibiru/query", GATEWAY_WS_SEND_BUFFER="1024", GATEWAY_WS_INIT_TIMEOUT="60",
               GATEWAY_CALLER_MAX_TOPICS="1000000")  # one load generator stands for every caller
    log_path = Path(tempfile.gettempdir()) / f"bench-gateway-{os.getpid()}.log"
    with log_path.open("w") as log, gateway_process(env, stdout=log) as (base, proc):
        yield base, proc.pid


class LoadGenerator:
    """The Node process and a thread reading its stdout lines into a queue."""

    def __init__(self, url: str, n: int, variables: dict[str, Any], out: str, variables_json: str | None = None) -> None:
        node = shutil.which("node")
        if node is None or not (ROOT / "tests/node/node_modules/ws").is_dir():
            raise RuntimeError("needs node and tests/node/node_modules (cd tests/node && npm ci)")
        self.proc = subprocess.Popen(
            [node, str(ROOT / "bench/subscribers.mjs"), url, str(n), QUERY, variables_json or json.dumps(variables),
             out],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines: Queue[str] = Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def expect(self, prefix: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except Empty:
                break
            if line.startswith(prefix):
                return line
        raise TimeoutError(f"load generator: no {prefix!r} within {timeout:.0f}s")

    def status(self) -> tuple[int, int]:
        self.send("STATUS")
        _, received, closed, _ = self.expect("STATUS", 30).split()
        return int(received), int(closed)

    def wait_received(self, total: int, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        received = 0
        while time.monotonic() < deadline:
            received, _ = self.status()
            if received >= total:
                break
            time.sleep(0.25)
        return received

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def run_one(sandbox: str, n: int, events: int, interval: float) -> dict[str, Any]:
    trader = addresses.nibiru_address(random.Random(f"bench-{n}-{time.time()}"))
    control = httpx.Client(base_url=f"{sandbox}/_control", timeout=30)
    actions = [{"action": "open", "is_long": True}, {"action": "close", "is_long": True}]

    def inject(k: int) -> float:
        sent = time.time() * 1000
        body = {"venue": "NIBIRU", "trader": trader, "symbol": "ETH", "size_usd": 20_000, "collateral_usd": 2_000,
                **actions[k % 2]}
        control.post("/inject", json=body).raise_for_status()
        return sent

    with gateway_for(sandbox) as (base, pid), tempfile.TemporaryDirectory() as tmp:
        time.sleep(1.0)
        rss_before = rss_mb(pid)
        out = f"{tmp}/times.json"
        gen = LoadGenerator(base.replace("http", "ws", 1) + "/graphql", n, {"t": trader}, out)
        try:
            started = time.monotonic()
            gen.expect("READY", timeout=max(120.0, n / 20))
            connect_s = time.monotonic() - started
            # Warm-up: the first subscriber started the upstream stream; wait until an event
            # reaches every socket (bounded), then start measuring.
            warm = 0
            for _ in range(30):
                inject(warm)
                warm += 1
                if gen.wait_received(n, timeout=3.0) >= n:
                    break
            gen.send("RESET")
            gen.expect("RESET", 30)
            if warm % 2:  # close the warm-up position so the measured series alternates open/close
                inject(1)
                gen.wait_received(n, timeout=10.0)
                gen.send("RESET")
                gen.expect("RESET", 30)
            rss_subscribed = rss_mb(pid)
            sent_at = []
            for k in range(events):
                sent_at.append(inject(k))
                time.sleep(interval)
            gen.wait_received(n * events, timeout=30.0)
            rss_after = rss_mb(pid)
            gen.send("DONE")
            gen.expect("WROTE", 120)
            result = json.loads(Path(out).read_text())
        finally:
            gen.stop()
    latencies: list[float] = []
    complete_sockets = 0
    for per_socket in result["times"]:
        if len(per_socket) >= events:
            complete_sockets += 1
        latencies.extend(t - sent_at[k] for k, t in enumerate(per_socket[:events]))
    received = sum(min(len(t), events) for t in result["times"])
    per_event = [[t[k] - sent_at[k] for t in result["times"] if len(t) > k] for k in range(events)]
    return {
        "subscribers": n, "events": events, "connect_s": round(connect_s, 1),
        "completeness": received / (n * events), "complete_sockets": complete_sockets,
        "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99), "max_ms": max(latencies or [0]),
        "rss_before_mb": rss_before, "rss_subscribed_mb": rss_subscribed, "rss_after_mb": rss_after,
        "kb_per_subscriber": (rss_subscribed - rss_before) * 1024 / n, "closed": result["closed"],
        "errors": result["errors"],
        "per_event_max_ms": [round(max(v or [0])) for v in per_event],
        "per_event_min_ms": [round(min(v or [0])) for v in per_event],
    }


def report(rows: list[dict[str, Any]], events: int, interval: float, command: str) -> str:
    lines = [
        "## Subscriptions: many subscribers to one stream",
        "",
        f"`{command}` — {today()}; {machine()}; `nproc` {os.cpu_count()}.",
        "",
        "One gateway process (`gateway serve --workers 1`, uvicorn + uvloop, websockets-sansio), the sandbox "
        "(`--no-live`) and the Node load generator (`bench/subscribers.mjs`, raw graphql-transport-ws over `ws`) "
        "on the same machine. Every subscriber runs the same `perpTradeHistory` subscription of one NIBIRU "
        f"trader; {events} trades are injected through `/_control/inject`, {interval:g} s apart. Latency: "
        "from sending the injection to the `next` arriving on a socket (includes the sandbox and the "
        "upstream Sai Keeper subscription). RSS per subscriber: (gateway RSS with every socket subscribed − "
        "RSS before) / N.",
        "",
        "| subscribers | received | p50 | p99 | max | RSS before → subscribed → after | per subscriber | connect all |",
        "|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['subscribers']:,} | {r['completeness'] * 100:.2f}% | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms "
            f"| {r['max_ms']:.0f} ms | {r['rss_before_mb']:.0f} → {r['rss_subscribed_mb']:.0f} → "
            f"{r['rss_after_mb']:.0f} MB | {r['kb_per_subscriber']:.1f} kB | {r['connect_s']:.0f} s |")
    return "\n".join(lines) + "\n" + NOTE



def spread_main(ns: argparse.Namespace, argv: list[str] | None) -> int:
    from bench import spread

    n = min(MAX_SUBSCRIBERS, int(ns.subscribers.split(",")[-1]))
    if n + 1000 > raise_nofile():
        print("RLIMIT_NOFILE too low", file=sys.stderr)
        return 1
    with sandbox_process(live=False, start="now") as sandbox:
        row = spread.run_spread(sandbox, n, max(1, ns.traders), max(1, ns.rounds))
    print(json.dumps(row), flush=True)
    text = spread.report(row, ("python -m bench subscriptions " + " ".join(argv or [])).strip(),
                         f"{today()}; {machine()}; `nproc` {os.cpu_count()}")
    print(text)
    if not ns.no_write:
        write_section("subscriptions-spread", text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench subscriptions")
    parser.add_argument("--subscribers", default="1000,5000,10000",
                        help="comma-separated subscriber counts (at most 20,000 each)")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--traders", type=int, default=0,
                        help="spread the subscribers over this many NIBIRU traders (bench/spread.py)")
    parser.add_argument("--rounds", type=int, default=3, help="with --traders: trades injected per trader")
    ns = parser.parse_args(argv)
    if ns.traders:
        return spread_main(ns, argv)
    counts = [min(MAX_SUBSCRIBERS, int(x)) for x in ns.subscribers.split(",") if x.strip()]
    events = max(1, min(ns.events, 200))
    interval = max(0.05, min(ns.interval, 10.0))
    limit = raise_nofile()
    if max(counts) + 1000 > limit:
        print(f"RLIMIT_NOFILE is {limit}: too low for {max(counts)} sockets", file=sys.stderr)
        return 1
    rows = []
    with sandbox_process(live=False, start="now") as sandbox:
        for n in counts:
            row = run_one(sandbox, n, events, interval)
            print(json.dumps(row), flush=True)
            rows.append(row)
    command = "python -m bench subscriptions " + " ".join(argv or [])
    text = report(rows, events, interval, command.strip())
    print(text)
    if not ns.no_write:
        write_section("subscriptions", text)
    return 0
