"""A real hub over the production bridges, against the sandbox: what a subscriber is owed.

`hub_for` runs a `Hub` (memory backend, local lease) whose bridges are built by the production
factory over production sources pointed at the sandbox; `Reader` reads one hub subscription.
`open` returning is the moment a subscription is accepted: a test injects right after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from gateway.model.types import PerpTradeHistoryItem
from gateway.settings import Settings
from gateway.sources.registry import bridge_factory
from gateway.streams.backend import MemoryBackend
from gateway.streams.hub import Hub
from gateway.streams.lease import LocalLease
from gateway.streams.subscriber import HubSubscription
from gateway.streams.types import StreamEvent
from tests.streams.bridging import WAIT, open_sources


@contextlib.asynccontextmanager
async def hub_for(settings: Settings, **hub: Any) -> AsyncIterator[Hub]:
    async with open_sources(settings) as sources:
        made = Hub(bridge_factory(settings, sources), MemoryBackend(), LocalLease(),
                   **{"linger": 0.0, "prime_wait": WAIT, **hub})
        await made.start()
        try:
            yield made
        finally:
            await made.stop()


def items(event: StreamEvent) -> list[PerpTradeHistoryItem]:
    found: list[PerpTradeHistoryItem] = event.payload["items"]  # objects: events are encoded only for Redis
    return found


async def read_until(sub: HubSubscription, txs: list[str]) -> list[StreamEvent]:
    """Events until every transaction in `txs` was delivered (bounded by WAIT)."""
    got: list[StreamEvent] = []
    missing = set(txs)
    while missing:
        event = await asyncio.wait_for(sub.__anext__(), WAIT)
        got.append(event)
        missing -= {i.txHash for i in items(event)}
    return got


def tx_order(events: list[StreamEvent]) -> list[str]:
    """The transactions of the delivered items, in delivery order, each once."""
    return list(dict.fromkeys(i.txHash or "" for e in events for i in items(e)))


def txs_of(injected: list[list[dict[str, Any]]]) -> list[str]:
    """The transactions of injected trades, in the upstream's order (injection order), each once."""
    return list(dict.fromkeys(str(e["tx"]) for batch in injected for e in batch))
