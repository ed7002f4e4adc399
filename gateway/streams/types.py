"""The contract between bridges (upstream streams) and the hub (fan-out to subscribers).

A `Topic` names one upstream stream: what kind of data, which venue, which key. A bridge runs
one topic's upstream stream and publishes `StreamEvent`s; the hub starts a topic's bridge on its
first subscriber (on one replica at a time) and stops it after the last one leaves.

Payloads are the schema objects themselves, exactly what a query would return, shaped per kind.
They stay objects in the process: the Redis backend alone encodes them on the way out and rebuilds
them on every replica with `PAYLOAD_TYPES` (messages.py):

    kind         key                      payload
    trades       trader address           {"trades": [PerpTrade, ...]}   the trades the event changed
    history      trader address           {"items": [PerpTradeHistoryItem, ...]}
    borrowing    "<collateralId>:<marketId>"  {"borrowing": PerpBorrowing | None}
    borrowings   ""                       {"borrowings": [PerpBorrowingShortInfo, ...]}
    live         ""                       {"items": [PerpTradeHistoryItem, ...]}  every trade of the venue
    forward      the subscription field,  {"data": the upstream's JSON answer}  a subscription only one
                 printed (selection.py)   upstream has, forwarded: one topic per document and variables

`StreamEvent.state` marks an event that is a whole state (a market list, prices, a wallet's balances)
rather than a change: the hub keeps a topic's last state and gives it to every subscriber that joins
later, at once, so a state subscription never waits for the next change.

`StreamEvent.id` identifies the upstream fact (transaction signature or hash, Sai history id,
or, for snapshots, the payload's digest and the number of the change), so an event seen twice — after a reconnect's gap fill,
from both the alert WebSocket and a webhook — is delivered once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from gateway.model.types import PerpBorrowing, PerpBorrowingShortInfo, PerpTrade, PerpTradeHistoryItem
from gateway.model.venue import Venue

KINDS = ("trades", "history", "borrowing", "borrowings", "live", "forward")
# the type of each payload field per kind: what `messages.loads` rebuilds after Redis
PAYLOAD_TYPES: dict[str, dict[str, Any]] = {
    "trades": {"trades": list[PerpTrade]},
    "history": {"items": list[PerpTradeHistoryItem]},
    "borrowing": {"borrowing": PerpBorrowing | None},
    "borrowings": {"borrowings": list[PerpBorrowingShortInfo]},
    "live": {"items": list[PerpTradeHistoryItem]},
    "forward": {"data": dict[str, Any]},  # the upstream's JSON, as it sent it
}


@dataclass(frozen=True)
class Topic:
    kind: str
    venue: Venue
    key: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown topic kind {self.kind!r}")

    @property
    def name(self) -> str:
        return f"{self.kind}:{self.venue.value}:{self.key}"

    @classmethod
    def parse(cls, name: str) -> Topic:
        kind, venue, key = name.split(":", 2)
        return cls(kind, Venue(venue), key)


@dataclass(frozen=True)
class StreamEvent:
    topic: str  # Topic.name
    id: str  # the upstream fact's identity, for de-duplication
    payload: dict[str, Any]  # schema objects, shaped per kind (module docstring)
    state: bool = False  # a whole state, not a change: replayed to subscribers who join later


Publish = Callable[[StreamEvent], Awaitable[None]]


class Bridge(Protocol):
    """One upstream stream for one topic. `run` returns only when cancelled; it reconnects,
    resubscribes and fills gaps by itself, and publishes every event at least once. A bridge may
    also offer `resume_after(event_id)`: called before `run` when this replica already delivered
    events of the topic (a lease taken over, a crashed bridge restarted), so it continues from there."""

    topic: Topic

    async def run(self, publish: Publish) -> None: ...


BridgeFactory = Callable[[Topic], Bridge]
