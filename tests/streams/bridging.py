"""Running a real bridge against the sandbox in a test: its events collected as they are published.

Bridges are built by the production factory (`gateway.sources.registry.bridge_factory`) over production sources
pointed at the sandbox, and run as tasks; nothing of the gateway is patched. Waits are bounded
(`WAIT`) only so a broken bridge fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.sources.registry import bridge_factory, build_sources, close_sources
from gateway.streams.types import Bridge, StreamEvent
from sandbox import addresses
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.configure import configure

WAIT = 45.0


def bridge_settings(sandbox: str, **overrides: Any) -> Settings:
    """Settings for the sandbox with short poll intervals (the rate budget still applies)."""
    base = Settings(sandbox="off").with_sandbox(sandbox, SANDBOX_KEYS)
    return configure(base, **{"poll_interval": 0.2, **overrides})


@contextlib.asynccontextmanager
async def open_sources(settings: Settings) -> AsyncIterator[dict[Venue, PerpSource | None]]:
    sources = build_sources(settings)
    try:
        yield sources
    finally:
        await close_sources(sources)


class Collector:
    """A bridge running as a task; `events` receives what it publishes."""

    def __init__(self, bridge: Bridge) -> None:
        self.bridge = bridge
        self.events: asyncio.Queue[StreamEvent] = asyncio.Queue()
        self.seen: list[StreamEvent] = []
        self.task = asyncio.create_task(bridge.run(self._publish))

    async def _publish(self, event: StreamEvent) -> None:
        self.seen.append(event)
        await self.events.put(event)

    async def next(self) -> StreamEvent:
        return await asyncio.wait_for(self.events.get(), WAIT)

    async def until(self, done: Callable[[list[StreamEvent]], bool]) -> list[StreamEvent]:
        """Events received until `done(all received so far)` holds."""
        got: list[StreamEvent] = []
        while not done(got):
            got.append(await self.next())
        return got

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@contextlib.asynccontextmanager
async def running(settings: Settings, sources: dict[Venue, PerpSource | None], topic: Any) -> AsyncIterator[Collector]:
    collector = Collector(bridge_factory(settings, sources)(topic))
    try:
        yield collector
    finally:
        await collector.stop()


async def eventually(check: Callable[[], Any], what: str) -> None:
    """Wait (bounded by WAIT) until `check()` is truthy: for states a test cannot observe as events."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        await asyncio.sleep(0.02)


async def inject(control: httpx.AsyncClient, **body: Any) -> list[dict[str, Any]]:
    r = await control.post("/inject", json=body)
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def wallet(venue: Venue, seed: str) -> str:
    rng = random.Random(f"{seed}-{random.random()}")  # unique per run: the sandbox is shared
    if venue is Venue.NIBIRU:
        return addresses.nibiru_address(rng)
    if venue is Venue.JUPITER:
        return addresses.solana_address(rng)
    return addresses.evm_address(rng)
