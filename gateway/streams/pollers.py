"""Bridges that poll a source: for venues (or kinds) whose upstream pushes nothing.

They read through the `PerpSource` protocol, i.e. the very code the queries run, so an event's
payload is what the query returns at that moment, and the upstream policy's cache, single-flight and rate
limits apply to them as to any query. Each poll sends only what changed (changes.py):

    kind             read                                     sends                         event id
    trades/history   trade_history(trader)                    per new transaction: its      the transaction
                                                              items, or the trades they     hash / signature
                                                              belong to
    borrowing(s)     borrowing(c, m) / borrowings()           the payload when it changed   digest.change number

A trader's trades are sent from its history (a history item's `trade` is the trade the `trades`
query returns), so one read serves both kinds and a `trades` event carries the same id as the
`history` event of the same transaction. The first poll of a trader only primes what is known:
like a GraphQL upstream's subscriptions, nothing is sent at subscribe time; the hub accepts a
subscription only after that first poll (status.py), so a trade after the subscribe is never
taken for the baseline. Snapshot kinds send their
first answer (a subscriber learns the current market at once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.model.source import MAX_LIMIT, BorrowingsQuery, HistoryQuery, Page, PerpSource
from gateway.model.types import PerpTradeHistoryItem
from gateway.streams.changes import NewItems, ResumesSnapshots, SnapshotChange, group_by_tx, trades_of
from gateway.streams.polling import PollBudget, poll_forever
from gateway.streams.status import BridgeStatus
from gateway.streams.types import Publish, StreamEvent, Topic


def items_payload(kind: str, items: list[PerpTradeHistoryItem]) -> dict[str, Any]:
    """`{"trades": …}` (the trades the items belong to) for trades, `{"items": …}` otherwise."""
    if kind == "trades":
        return {"trades": trades_of(items)}
    return {"items": list(items)}


async def publish_items(topic: Topic, items: list[PerpTradeHistoryItem], publish: Publish) -> None:
    """One event per transaction, its hash (signature) as the event id."""
    for group in group_by_tx(items):
        event_id = group[0].txHash or str(group[0].id)
        await publish(StreamEvent(topic.name, event_id, items_payload(topic.kind, group)))


class TraderPoller:
    """trades/history of one trader, polled."""

    def __init__(self, topic: Topic, source: PerpSource, budget: PollBudget, cost: float,
                 status: BridgeStatus | None = None, mode: str = "live") -> None:
        self.topic, self.source, self.budget, self.cost = topic, source, budget, cost
        self.status, self.mode = status or BridgeStatus(), mode  # mode: polling when a fallback
        self.items = NewItems()
        self.polls = 0

    async def poll(self, publish: Publish) -> None:
        history = await self.source.trade_history(HistoryQuery(trader=self.topic.key, page=Page(limit=MAX_LIMIT)))
        self.polls += 1
        fresh = self.items.fresh(history)
        if fresh:
            await publish_items(self.topic, fresh, publish)

    async def run(self, publish: Publish) -> None:
        await poll_forever(self.budget, self.cost, lambda: self.poll(publish), self.topic.name,
                           status=self.status, mode=self.mode)


class SnapshotPoller(ResumesSnapshots):
    """A snapshot kind (borrowing, borrowings), polled and sent when it changes."""

    def __init__(self, topic: Topic, fetch: Callable[[], Awaitable[dict[str, Any]]], budget: PollBudget,
                 cost: float) -> None:
        self.topic, self.fetch, self.budget, self.cost = topic, fetch, budget, cost
        self.change = SnapshotChange()
        self.status = BridgeStatus()

    async def poll(self, publish: Publish) -> None:
        payload = await self.fetch()
        event_id = self.change.changed(payload)
        if event_id is not None:
            await publish(StreamEvent(self.topic.name, event_id, payload))

    async def run(self, publish: Publish) -> None:
        await poll_forever(self.budget, self.cost, lambda: self.poll(publish), self.topic.name, status=self.status)


def borrowing_poller(topic: Topic, source: PerpSource, budget: PollBudget, cost: float) -> SnapshotPoller:
    """Topic key "<collateralId>:<marketId>"."""
    collateral, _, market = topic.key.partition(":")

    async def fetch() -> dict[str, Any]:
        found = await source.borrowing(int(collateral), int(market))
        return {"borrowing": found}

    return SnapshotPoller(topic, fetch, budget, cost)


def borrowings_poller(topic: Topic, source: PerpSource, budget: PollBudget, cost: float) -> SnapshotPoller:
    async def fetch() -> dict[str, Any]:
        return {"borrowings": await source.borrowings(BorrowingsQuery(page=Page(limit=MAX_LIMIT)))}

    return SnapshotPoller(topic, fetch, budget, cost)
