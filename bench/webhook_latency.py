"""JUPITER by webhook: the sandbox's signed delivery to the gateway's receiver, to the publish.

The receiver (`gateway.sources.perpstracker.webhook`) is served on a real socket in this process
(uvicorn, the same loop as the measurement), with the JUPITER source for its re-reads; the sandbox
is told to deliver `trade.new`/`trade.close` of a watch-listed wallet there. Latency: from sending
the injection to the receiver publishing the wallet's `history` event for that transaction, so it
covers the sandbox's sender, the signature and replay checks and the source re-read.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import uvicorn
from starlette.applications import Starlette

from gateway.cli import free_port
from gateway.model.venue import Venue
from gateway.settings import Secret, Settings
from gateway.sources.perpstracker.webhook import PATH, webhook_receiver
from gateway.sources.registry import build_sources, close_sources
from gateway.streams.types import StreamEvent
from sandbox.state import PERPSTRACKER_KEY

WAIT = 60.0


async def measure_webhook(base: str, control: httpx.AsyncClient, settings: Settings, who: str,
                          events: int) -> list[float]:
    port = free_port()
    published: asyncio.Queue[tuple[float, StreamEvent]] = asyncio.Queue()

    async def publish(event: StreamEvent) -> None:
        await published.put((time.monotonic(), event))

    async with httpx.AsyncClient(base_url=f"{base}/perpstracker/api", timeout=30,
                                 headers={"Authorization": f"Bearer {PERPSTRACKER_KEY}"}) as pt:
        (await pt.post("/perpetuals/watchlist/add", json={"wallet_address": who})).raise_for_status()
        (await pt.post(f"/perpetuals/watchlist/{who}/alerts", json={"enabled": True})).raise_for_status()
        created = await pt.post("/webhooks", json={"url": f"http://127.0.0.1:{port}{PATH}",
                                                   "events": ["trade.new", "trade.close"]})
        created.raise_for_status()
        hook = created.json()["webhook"]
        settings = settings.with_upstream("perpstracker", webhook_secret=Secret(hook["secret"]))
        sources = build_sources(settings)
        receiver = webhook_receiver(settings.upstream("perpstracker"), settings, publish, sources)
        assert receiver is not None
        server = uvicorn.Server(uvicorn.Config(Starlette(routes=[receiver.route]), host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        serving = asyncio.create_task(server.serve())
        out: list[float] = []
        try:
            for _ in range(1000):  # uvicorn has no "started" event: bounded look, 20 s
                if server.started:
                    break
                await asyncio.sleep(0.02)
            for n in range(events):
                sent = time.monotonic()
                r = await control.post("/inject", json={"venue": Venue.JUPITER.value, "trader": who, "symbol": "SOL",
                                                        "action": "open" if n % 2 == 0 else "close"})
                r.raise_for_status()
                signature = str(r.json()["events"][-1]["tx"])
                while True:
                    at, event = await asyncio.wait_for(published.get(), WAIT)
                    if event.id == signature and event.topic.startswith("history:"):
                        break
                out.append(at - sent)
        finally:
            server.should_exit = True
            await serving
            await receiver.aclose()
            await close_sources(sources)
            await pt.delete(f"/webhooks/{hook['id']}")
    return out
