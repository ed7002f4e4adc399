"""Bridge figures: how late an upstream trade reaches the hub, and how long a reconnect takes.

Each bridge runs in this process exactly as the hub runs it (the production factory over production
sources, the upstream policy chain included) against a `gateway sandbox --no-live` child process with
its rate limits off. A trade is injected through /_control/inject; latency is the time from sending
the injection to the bridge publishing the event (same process, same clock). Pollers run at the
default interval (GATEWAY_POLL_INTERVAL=1 s floor, the rate budget above it), so their figures are
the operator's, not a test's.
Reconnect: the upstream is put `down` (WebSockets closed with 1011), a trade injected, the fault
cleared; the figure is the time from clearing it to the gap-filled event.

    python -m bench bridges [--events 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.report import machine, today, write_section
from bench.webhook_latency import measure_webhook
from gateway.cli import sandbox_process
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.sources.registry import bridge_factory, build_sources, close_sources
from gateway.streams.status import status_of
from gateway.streams.types import StreamEvent, Topic
from sandbox import addresses
from sandbox.state import KEYS as SANDBOX_KEYS

WAIT = 60.0
CASES: list[tuple[str, Venue, str, str]] = [  # label, venue, kind, what carries it
    ("NIBIRU history", Venue.NIBIRU, "history", "Sai Keeper subscription"),
    ("JUPITER history", Venue.JUPITER, "history", "alert WebSocket + re-read"),
    ("JUPITER history, trades 6 s apart", Venue.JUPITER, "history", "alert WebSocket + re-read"),
    ("JUPITER live", Venue.JUPITER, "live", "live-trades poll"),
    ("HYPERLIQUID history", Venue.HYPERLIQUID, "history", "Nansen profiler poll"),
    ("HYPERLIQUID live", Venue.HYPERLIQUID, "live", "tgm/perp-trades poll"),
]
SYMBOL = {Venue.NIBIRU: "ETH", Venue.JUPITER: "SOL", Venue.HYPERLIQUID: "BTC"}
UPSTREAM = {Venue.NIBIRU: "nibiru", Venue.JUPITER: "perpstracker"}


def trader(venue: Venue) -> str:
    rng = random.Random()
    return {Venue.NIBIRU: addresses.nibiru_address, Venue.JUPITER: addresses.solana_address,
            Venue.HYPERLIQUID: addresses.evm_address}[venue](rng)


async def until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("bridge did not get ready")
        await asyncio.sleep(0.05)


def ready(bridge: Any) -> bool:
    """The bridge took its baseline (what the hub waits for before it accepts a subscription)."""
    status = status_of(bridge)
    if status is not None:
        return status.primed.is_set()
    if getattr(bridge, "mode", None) == "alerts":
        return True
    for attr in ("watermark", "poller"):
        if getattr(bridge, attr, None) is not None:
            return attr != "poller" or bridge.poller.polls > 0
    items = getattr(bridge, "items", None)
    if isinstance(items, dict):
        return all(n.primed for n in items.values())
    return bool(getattr(items, "primed", False) or getattr(bridge, "polls", 0))


async def measure(control: httpx.AsyncClient, settings: Settings, venue: Venue, kind: str,
                  events: int, fault: bool, spacing: float = 0.0) -> list[float]:
    sources = build_sources(settings)
    queue: asyncio.Queue[tuple[float, StreamEvent]] = asyncio.Queue()

    async def publish(event: StreamEvent) -> None:
        await queue.put((time.monotonic(), event))

    who = trader(venue)
    topic = Topic(kind, venue, "" if kind == "live" else who)
    bridge = bridge_factory(settings, sources)(topic)
    task = asyncio.create_task(bridge.run(publish))
    out: list[float] = []
    try:
        await until(lambda: ready(bridge))
        for n in range(events):
            if spacing:
                await asyncio.sleep(spacing)  # past the source's 5 s cache of the trader's history
            body = {"venue": venue.value, "trader": who, "symbol": SYMBOL[venue],
                    "action": "open" if n % 2 == 0 else "close"}

            async def inject(body: dict[str, str] = body) -> httpx.Response:
                return await control.post("/inject", json=body)
            if fault:
                await control.post("/faults", json={"upstream": UPSTREAM[venue], "mode": "down"})
                await asyncio.sleep(1.0)
                assert (await inject()).status_code == 200
                await control.delete("/faults")
                sent = time.monotonic()
            else:
                sent = time.monotonic()
                assert (await inject()).status_code == 200
            while True:
                at, event = await asyncio.wait_for(queue.get(), WAIT)
                if kind != "live" or who in str(event.payload):
                    break
            out.append(at - sent)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await close_sources(sources)
    return out


def row(label: str, how: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return (f"| {label} | {how} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{p95 * 1000:.0f} | {values[-1] * 1000:.0f} |")


async def run(events: int) -> str:
    lines = ["| stream | carried by | events | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|"]
    with sandbox_process(live=False, start="now") as base:
        settings = Settings(sandbox="off").with_sandbox(base, SANDBOX_KEYS)
        async with httpx.AsyncClient(base_url=f"{base}/_control", timeout=30) as control:
            await control.post("/ratelimits", json={"enabled": False})
            for label, venue, kind, how in CASES:
                spacing = 6.0 if "apart" in label else 0.0
                values = await measure(control, settings, venue, kind, events, False, spacing)
                lines.append(row(label, how, values))
                print(lines[-1], flush=True)
            values = await measure_webhook(base, control, settings, trader(Venue.JUPITER), events)
            lines.append(row("JUPITER history", "signed webhook + re-read", values))
            print(lines[-1], flush=True)
            for label, venue, kind, _how in CASES[:2]:
                values = await measure(control, settings, venue, kind, max(3, events // 3), True)
                lines.append(row(f"{label}, after `down`", "reconnect + gap fill", values))
                print(lines[-1], flush=True)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench bridges")
    parser.add_argument("--events", type=int, default=10)
    args = parser.parse_args(argv)
    table = asyncio.run(run(args.events))
    write_section("bridges", f"""## Bridges: upstream trade to hub event

{today()}, {machine()}, load average (1 min) at the end {os.getloadavg()[0]:.1f} (a machine shared with
other engineers' runs). `python -m bench bridges --events {args.events}`: bridges in one process
against a `gateway sandbox --no-live` process, default settings (poll floor 1 s, rate budget above it); latency from the
injection to the bridge's publish. Trades follow each other as soon as the previous one arrived,
except "6 s apart". "after `down`": from clearing the fault to the gap-filled event; the bridge
kept retrying while the upstream was down, so this includes the backoff delay it had reached.

{table}
""")
    return 0
