"""NIBIRU bridges: Sai Keeper's four subscriptions, resubscribed after a drop and gap-filled.

Each bridge holds one upstream subscription (`SaiStream`) and loops around it: when the socket
drops it waits (`Backoff`, with jitter), subscribes again, and fills the gap with queries sent on
the new socket right after its `subscribe` frame (stream.py says why that ordering loses nothing):

    kind        upstream subscription          gap fill after a reconnect              event id
    history     perpTradeHistory(trader)       tradeHistory(trader) newer than the      the Sai history id
                                               last history id seen                     (the newest of the
                                                                                        items of one tx)
    trades      perpTrades(trader)             the trades of those history items,       digest of the payload
                                               where they differ from what was sent
    borrowing   perpBorrowing(c, m)            borrowing(c, m) if it changed            digest
    borrowings  perpBorrowings                 borrowings if they changed               digest

Payloads are mapped by gateway/sources/nibiru/mapping.py, as the queries map them. The `live` kind
(every trade of the venue) has no Sai subscription and is polled: see `NibiruLiveBridge`.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.coord.backoff import Backoff
from gateway.coord.idset import IdSet
from gateway.errors import UpstreamError
from gateway.model.source import HistoryQuery, Page, PerpSource
from gateway.model.types import PerpTradeHistoryItem
from gateway.observe.metrics import STREAM_RECONNECTS
from gateway.sources.descriptor import StreamContext
from gateway.sources.nibiru import mapping, queries
from gateway.sources.nibiru.client import SOURCE
from gateway.sources.nibiru.pool import SaiStream
from gateway.sources.nibiru.settings import NibiruSettings
from gateway.sources.nibiru.socket import (
    STREAM_ERRORS,
    SUB_BORROWING,
    SUB_BORROWINGS,
    SUB_HISTORY,
    SUB_TRADES,
    map_stream_error,
)
from gateway.streams.changes import ChangedTrades, ResumesSnapshots, SnapshotChange, group_by_tx
from gateway.streams.codec import digest
from gateway.streams.polling import PollBudget, poll_forever
from gateway.streams.status import BridgeStatus
from gateway.streams.types import Bridge, BridgeFactory, Publish, StreamEvent, Topic

log = logging.getLogger("gateway.streams.nibiru")

GAP_PAGE = 100
MAX_GAP_PAGES = 50  # 5,000 history items: a longer outage loses the oldest of its gap (logged)
STABLE_AFTER = 10.0  # a connection that lived this long resets the backoff


async def history_since(fetch: Callable[[int], Awaitable[list[PerpTradeHistoryItem]]],
                        after: int) -> list[PerpTradeHistoryItem]:
    """Items with id > `after`, oldest first, read newest first page by page (`fetch(offset)`)."""
    found: list[PerpTradeHistoryItem] = []
    for page in range(MAX_GAP_PAGES):
        rows = await fetch(page * GAP_PAGE)
        found.extend(i for i in rows if i.id > after)
        if len(rows) < GAP_PAGE or any(i.id <= after for i in rows):
            break
    else:
        log.warning("NIBIRU gap of more than %d history items: the oldest are not replayed", len(found))
    return sorted({i.id: i for i in found}.values(), key=lambda i: i.id)


class _SaiBridge:
    """The reconnect loop; subclasses say what to subscribe to, how to gap-fill and what to send."""

    document: str = ""

    def __init__(self, topic: Topic, ws_url: str) -> None:
        self.topic, self.ws_url = topic, ws_url
        self.backoff = Backoff(base=0.5, cap=30.0)
        self.connections = 0
        self.live = False  # subscribed and gap-filled: events flow
        self.status = BridgeStatus()

    def variables(self) -> dict[str, Any]:
        return {}

    async def run(self, publish: Publish) -> None:
        while True:
            started = time.monotonic()
            try:
                async with SaiStream.open(self.ws_url, self.document, self.variables()) as stream:
                    await self.connected(stream, publish)
                    stream.settled()  # the next subscription of the pool may subscribe and gap-fill
                    self.connections += 1  # subscribed, and the gap (if any) filled
                    self.live = True
                    self.status.ok()
                    async for data in stream:
                        await self.received(data, publish)
            except STREAM_ERRORS as exc:
                self.live = False
                error = map_stream_error(exc)
                self.status.trouble(error)
                log.warning("%s: Sai Keeper subscription lost (%s); resubscribing", self.topic.name, error.message)
            except (KeyError, TypeError, ValueError) as exc:  # a payload without Sai Keeper's shape
                self.live = False
                self.status.trouble(UpstreamError(SOURCE, "Sai Keeper sent a payload the gateway cannot read"))
                log.warning("%s: Sai Keeper sent a payload the gateway cannot read (%s); resubscribing",
                            self.topic.name, type(exc).__name__)
            if time.monotonic() - started > STABLE_AFTER:
                self.backoff.reset()
            STREAM_RECONNECTS.inc()
            await asyncio.sleep(self.backoff.next())

    async def connected(self, stream: SaiStream, publish: Publish) -> None:
        raise NotImplementedError

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        raise NotImplementedError


class _TraderBridge(_SaiBridge):
    """Shared by history and trades: the last history id seen is the gap fill's watermark."""

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        self.watermark: int | None = None

    def variables(self) -> dict[str, Any]:
        return {"where": {"trader": self.topic.key}}

    async def _page(self, stream: SaiStream, offset: int, limit: int = GAP_PAGE) -> list[PerpTradeHistoryItem]:
        data = await stream.query(queries.TRADE_HISTORY, {
            "where": {"trader": self.topic.key}, "limit": limit, "offset": offset,
            "order_by": "sequence", "order_desc": True})
        return [mapping.map_history_item(h) for h in data["perp"]["tradeHistory"]]

    async def connected(self, stream: SaiStream, publish: Publish) -> None:
        if self.watermark is None:  # first subscription: nothing before it is owed to anyone
            newest = await self._page(stream, 0, 1)
            self.watermark = newest[0].id if newest else 0
            return
        missed = await history_since(lambda offset: self._page(stream, offset), self.watermark)
        if missed:
            log.info("%s: %d history items replayed after a reconnect", self.topic.name, len(missed))
        await self.gap(missed, publish)

    def resume_after(self, event_id: str) -> None:
        """Continue after the last event subscribers got (its id is a history id): the first
        connection then gap-fills from there instead of priming from the newest item."""
        if self.watermark is None and event_id.isdigit():
            self.watermark = int(event_id)

    def advance(self, items: list[PerpTradeHistoryItem]) -> None:
        if items:
            self.watermark = max(self.watermark or 0, max(i.id for i in items))

    async def gap(self, items: list[PerpTradeHistoryItem], publish: Publish) -> None:
        raise NotImplementedError


class NibiruHistoryBridge(_TraderBridge):
    document = SUB_HISTORY

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        self.sent = IdSet(20_000)

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        await self.gap([mapping.map_history_item(h) for h in data["perpTradeHistory"]], publish)

    async def gap(self, items: list[PerpTradeHistoryItem], publish: Publish) -> None:
        fresh = [i for i in items if self.sent.add(str(i.id))]
        for group in group_by_tx(fresh):
            event_id = str(max(i.id for i in group))
            await publish(StreamEvent(self.topic.name, event_id, {"items": group}))
        self.advance(items)


class NibiruTradesBridge(_TraderBridge):
    document = SUB_TRADES

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        self.changes = ChangedTrades()
        self.changes.prime([])  # Sai sends nothing at subscribe: every trade it sends is a change

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        await self._send([mapping.map_trade(t) for t in data["perpTrades"]], publish)

    async def gap(self, items: list[PerpTradeHistoryItem], publish: Publish) -> None:
        # an item's `trade` is the trade as it is now: one update per trade the gap touched
        touched = {i.trade.id: i.trade for i in items}
        await self._send(list(touched.values()), publish)
        self.advance(items)

    async def _send(self, trades: list[Any], publish: Publish) -> None:
        changed = self.changes.changed(trades)
        if changed:
            payload = {"trades": changed}
            await publish(StreamEvent(self.topic.name, digest(payload), payload))


class NibiruBorrowingBridge(ResumesSnapshots, _SaiBridge):
    """perpBorrowing(collateralId, marketId); topic key "<collateralId>:<marketId>"."""

    document = SUB_BORROWING

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        collateral, _, market = topic.key.partition(":")
        self.collateral_id, self.market_id = int(collateral), int(market)
        self.change = SnapshotChange()

    def variables(self) -> dict[str, Any]:
        return {"collateralId": self.collateral_id, "marketId": self.market_id}

    async def connected(self, stream: SaiStream, publish: Publish) -> None:
        # the market as it is now: the baseline on the first subscription (Sai sends nothing at
        # subscribe time, nor does this bridge), a change missed during a drop on later ones
        data = await stream.query(queries.BORROWING_ONE, self.variables())
        # no baseline after a resume: a change since the state subscribers last got is owed to them
        await self._send(data["perp"]["borrowing"], publish, baseline=self.connections == 0 and self.change.last is None)

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        await self._send(data["perpBorrowing"], publish)

    async def _send(self, row: dict[str, Any] | None, publish: Publish, baseline: bool = False) -> None:
        payload = {"borrowing": mapping.map_borrowing(row) if row is not None else None}
        event_id = self.change.changed(payload)
        if event_id is not None and not baseline:
            await publish(StreamEvent(self.topic.name, event_id, payload))


class NibiruBorrowingsBridge(ResumesSnapshots, _SaiBridge):
    document = SUB_BORROWINGS

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        self.change = SnapshotChange()

    async def connected(self, stream: SaiStream, publish: Publish) -> None:
        data = await stream.query(queries.BORROWINGS, {"limit": 500})
        await self._send(data["perp"]["borrowings"], publish, baseline=self.connections == 0 and self.change.last is None)

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        await self._send(data["perpBorrowings"], publish)

    async def _send(self, rows: list[dict[str, Any]], publish: Publish, baseline: bool = False) -> None:
        payload = {"borrowings": [mapping.map_short_info(r) for r in rows]}
        event_id = self.change.changed(payload)
        if event_id is not None and not baseline:
            await publish(StreamEvent(self.topic.name, event_id, payload))


# Forwarded subscriptions that are states, and the query that reads the same state now (namespace,
# field): the bridge sends it at once, as the first message. `userBalances` and `userInfo` have no
# query equivalent (Sai Keeper serves them only as subscriptions): their first message is Sai's own.
STATE_FIELDS: dict[str, tuple[str, str] | None] = {
    "tokenPricesUsd": ("oracle", "tokenPricesUsd"),
    "lpVaults": ("lp", "vaults"),
    "userBalances": None,
    "userInfo": None,
}
STATE_ROWS = 500  # every row: Sai's clients read all prices and vaults with `limit: 500`


def field_name(printed: str) -> str:
    """The field's name in a printed field (`name(args) { selection }`)."""
    match = re.match(r"[_A-Za-z][_0-9A-Za-z]*", printed)
    if match is None:
        raise ValueError("not a printed field")
    return match.group(0)


def state_query(printed: str) -> tuple[str, str] | None:
    """The query (document, namespace) reading now the state a forwarded subscription streams, or None."""
    name = field_name(printed)
    target = STATE_FIELDS.get(name)
    if target is None:
        return None
    namespace, field = target
    rest = printed[len(name):]
    rest = f"(limit: {STATE_ROWS}, {rest[1:]}" if rest.startswith("(") else f"(limit: {STATE_ROWS}){rest}"
    return "query GatewayForwardState { " + namespace + " { f0: " + field + rest + " } }", namespace


class NibiruForwardBridge(_SaiBridge):
    """A NIBIRU-only subscription forwarded as the caller wrote it; topic key: the printed field.
    Messages pass through unchanged (de-duplicated by digest across a reconnect). For a state
    (`STATE_FIELDS`) every message is a state event, so the hub gives the last one to late joiners,
    and where a query reads the same state, it is sent first, on every (re)connection."""

    def __init__(self, topic: Topic, ws_url: str) -> None:
        super().__init__(topic, ws_url)
        self.document = "subscription GatewayForward { f0: " + topic.key + " }"
        self.state = field_name(topic.key) in STATE_FIELDS
        self.current = state_query(topic.key)

    async def connected(self, stream: SaiStream, publish: Publish) -> None:
        if self.current is not None:  # subscribed first, then read: a change in between is not lost
            document, namespace = self.current
            data = await stream.query(document, {})
            await self._send(data[namespace]["f0"], publish)

    async def received(self, data: dict[str, Any], publish: Publish) -> None:
        await self._send(data["f0"], publish)

    async def _send(self, value: Any, publish: Publish) -> None:
        payload = {"data": value}
        await publish(StreamEvent(self.topic.name, digest(payload), payload, state=self.state))


class NibiruLiveBridge:
    """Every NIBIRU trade: Sai Keeper has no all-trades subscription, so `tradeHistory` without
    `where` is polled newest first (through the source, so the response cache and single-flight
    apply) and de-duplicated by history id; the first poll only sets the watermark."""

    def __init__(self, topic: Topic, source: PerpSource, budget: PollBudget) -> None:
        self.topic, self.source, self.budget = topic, source, budget
        self.sent = IdSet(20_000)
        self.watermark: int | None = None
        self.status = BridgeStatus()

    async def _page(self, offset: int) -> list[PerpTradeHistoryItem]:
        return await self.source.trade_history(HistoryQuery(
            trader=None, page=Page(limit=GAP_PAGE, offset=offset, desc=True, order_by="sequence")))

    async def poll(self, publish: Publish) -> None:
        if self.watermark is None:
            newest = await self._page(0)
            self.watermark = max((i.id for i in newest), default=0)
            return
        fresh = [i for i in await history_since(self._page, self.watermark)
                 if self.sent.add(str(i.id))]
        for group in group_by_tx(fresh):
            event_id = str(max(i.id for i in group))
            await publish(StreamEvent(self.topic.name, event_id, {"items": group}))
        if fresh:
            self.watermark = max(self.watermark, max(i.id for i in fresh))

    async def run(self, publish: Publish) -> None:
        await poll_forever(self.budget, 1, lambda: self.poll(publish), self.topic.name, status=self.status)


def bridges(section: NibiruSettings, ctx: StreamContext) -> BridgeFactory:
    """Sai Keeper's subscriptions for trades, history and markets; its event list polled for the
    live feed (Sai Keeper has no all-trades subscription). No documented limit: no budget cap."""
    s = ctx.settings
    budget = PollBudget("nibiru", None, share=s.poll_share, min_interval=s.poll_interval)
    url = section.ws_url

    def build(topic: Topic) -> Bridge:
        kinds: dict[str, Callable[[], Bridge]] = {
            "history": lambda: NibiruHistoryBridge(topic, url),
            "trades": lambda: NibiruTradesBridge(topic, url),
            "borrowing": lambda: NibiruBorrowingBridge(topic, url),
            "borrowings": lambda: NibiruBorrowingsBridge(topic, url),
            "live": lambda: NibiruLiveBridge(topic, ctx.source, budget),
            "forward": lambda: NibiruForwardBridge(topic, url),
        }
        return kinds[topic.kind]()

    return build
