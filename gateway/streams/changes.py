"""What changed since the last look: pure helpers shared by pollers and gap fills.

A stream sends only changes (as GraphQL subscriptions do: nothing at subscribe time, one
message per event), so every poller keeps what it last saw and turns each answer into events:

- history: items never seen before, grouped by transaction (one event per upstream transaction,
  as a GraphQL upstream groups the items one event created), oldest first;
- trades: trades whose fields changed, ignoring `state` (live PnL moves with every price tick;
  a GraphQL upstream's perpTrades does not fire for it either), each sent as it is now, state included;
- snapshots (borrowing, borrowings): the whole payload when its digest changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from gateway.coord.idset import IdSet
from gateway.model.types import PerpTrade, PerpTradeHistoryItem
from gateway.streams.codec import digest


def item_key(item: PerpTradeHistoryItem) -> str:
    return f"{item.venue.value}:{item.id}:{item.txHash or ''}"


def group_by_tx(items: Sequence[PerpTradeHistoryItem]) -> list[list[PerpTradeHistoryItem]]:
    """Items grouped by transaction hash, groups in the order their first item appears."""
    groups: dict[str, list[PerpTradeHistoryItem]] = {}
    for item in items:
        groups.setdefault(item.txHash or f"id:{item.id}", []).append(item)
    return list(groups.values())


def trades_of(items: Sequence[PerpTradeHistoryItem]) -> list[PerpTrade]:
    """The distinct trades the items belong to, in item order (each as the source has it now:
    a history item's `trade` is the same object the source's `trades` answer holds)."""
    seen: dict[str, PerpTrade] = {}
    for item in items:
        seen.setdefault(f"{item.trade.venue.value}:{item.trade.venueTradeId}", item.trade)
    return list(seen.values())


class NewItems:
    """History items not seen before; the first answer only primes (subscribe sends no backlog)."""

    def __init__(self, limit: int = 20_000) -> None:
        self.seen = IdSet(limit)
        self.primed = False

    def prime(self, items: Sequence[PerpTradeHistoryItem]) -> None:
        self.seen.update(item_key(i) for i in items)
        self.primed = True

    def fresh(self, items: Sequence[PerpTradeHistoryItem]) -> list[PerpTradeHistoryItem]:
        """The unseen items in the given order (callers pass oldest first), now remembered."""
        if not self.primed:
            self.prime(items)
            return []
        return [i for i in items if self.seen.add(item_key(i))]


def trade_fingerprint(trade: PerpTrade) -> str:
    """A trade's identity-and-content digest without its live `state`."""
    return digest(dataclasses.replace(trade, state=None))


class ChangedTrades:
    """Trades that differ from their last sent version (by venue and venueTradeId)."""

    def __init__(self) -> None:
        self.last: dict[str, str] = {}
        self.primed = False

    @staticmethod
    def key(trade: PerpTrade) -> str:
        return f"{trade.venue.value}:{trade.venueTradeId}"

    def prime(self, trades: Sequence[PerpTrade]) -> None:
        self.last.update((self.key(t), trade_fingerprint(t)) for t in trades)
        self.primed = True

    def changed(self, trades: Sequence[PerpTrade]) -> list[PerpTrade]:
        if not self.primed:
            self.prime(trades)
            return []
        out = []
        for t in trades:
            fp = trade_fingerprint(t)
            if self.last.get(self.key(t)) != fp:
                self.last[self.key(t)] = fp
                out.append(t)
        return out


class SnapshotChange:
    """A whole payload, when it differs from the last one sent, with an event id naming that change.

    The id is `<digest of the payload>.<number of the change>`. The hub drops ids it saw recently
    (gap fills, a fact from two streams), so an id made of the digest alone would drop a state
    that comes back (A, B, A: the second A was the first A's id): subscribers would be left
    believing B. Numbered, every change is new to the hub, while the same state polled again is
    no change at all. A bridge that continues another's (`resume_after`, after a lease takeover
    or a restart) starts from the last id subscribers got: it neither sends that state again nor
    reuses a number.
    """

    def __init__(self) -> None:
        self.last: str | None = None
        self.number = 0

    def changed(self, payload: object) -> str | None:
        """The change's event id if the payload differs from the last one (now remembered), else None."""
        d = digest(payload)
        if d == self.last:
            return None
        self.last = d
        self.number += 1
        return f"{d}.{self.number}"

    def resume_after(self, event_id: str) -> None:
        """Continue after the change `event_id` (an id this class made), unless already under way."""
        d, _, number = event_id.partition(".")
        if self.last is None and number.isdigit():
            self.last, self.number = d, int(number)


class ResumesSnapshots:
    """For a bridge or poller sending a snapshot kind through its `change`: the runner's
    `resume_after` (streams/runner.py) continues after the last state subscribers got."""

    change: SnapshotChange

    def resume_after(self, event_id: str) -> None:
        self.change.resume_after(event_id)
