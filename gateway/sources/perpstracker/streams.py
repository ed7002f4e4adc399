"""JUPITER bridges: PerpsTracker's alert stream where it covers a trader, polling where it cannot.

    kind             how                                                          event id
    trades/history   the wallet enrolled on the watchlist (enrol.py), then the    the transaction signature
                     shared alert WebSocket (alerts.py); each alert re-read
                     through the source (resolve.py). Not enrollable (disabled,
                     watchlist full, key refused on the socket), the watchlist
                     or account lookup failing ENROL_ATTEMPTS times, or the
                     alert socket down for the hub's fail_after: polled
                     (pollers.TraderPoller: positions + history), state `polling`
    live             /perpetuals/live-trades polled through the source, new      the transaction signature
                     signatures only
    borrowing(s)     the source polled (prices + markets; a fixed table)          digest.change number

All of a process's JUPITER bridges share one `JupiterStreams`: one alert socket per API key, one
enroller (its lock keeps the plan limit honest), and the poll budgets per rate-limit category.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from gateway.coord.backoff import Backoff
from gateway.errors import GatewayError
from gateway.model.source import MAX_LIMIT, HistoryQuery, Page, PerpSource
from gateway.observe.metrics import STREAM_RECONNECTS
from gateway.sources.descriptor import StreamContext
from gateway.sources.perpstracker import endpoints
from gateway.sources.perpstracker.alert_mapping import AlertFact
from gateway.sources.perpstracker.enrol import Enroller
from gateway.sources.perpstracker.resolve import Items, Resolver
from gateway.sources.perpstracker.settings import PerpsTrackerSettings
from gateway.sources.perpstracker.socket import AlertFeed, AlertListener
from gateway.sources.perpstracker.source import PerpsTrackerSource
from gateway.streams.changes import NewItems
from gateway.streams.pollers import (
    TraderPoller,
    borrowing_poller,
    borrowings_poller,
    items_payload,
    publish_items,
)
from gateway.streams.polling import PollBudget, per_minute, poll_forever
from gateway.streams.status import BridgeStatus
from gateway.streams.types import Bridge, BridgeFactory, Publish, StreamEvent, Topic

log = logging.getLogger("gateway.streams.perpstracker")

TRADER_POLL_COST = 2.0  # history: one page per poll for most traders (up to five for the busiest)
LIVE_POLL_COST = 1.0
BORROWING_POLL_COST = 2.0  # prices + markets
COVER_CHECK = 300.0  # seconds without an alert after which a wallet's coverage is checked again
ENROL_ATTEMPTS = 4  # watchlist/account lookups failing this often in a row: poll the wallet instead
SOCKET_CHECK = 5.0  # how often a follower looks at whether the alert socket is still down


@dataclass
class JupiterStreams:
    """What the JUPITER bridges of one process share."""

    source: PerpSource
    feed: AlertFeed | None  # None: no alert socket configured (JUPITER traders are polled)
    enroller: Enroller
    resolver: Resolver
    trader_budget: PollBudget  # the "Historical data" category: a trader's history
    live_budget: PollBudget  # the "Live trades" category: live-trades, prices, markets


async def publish_resolved(topic: Topic, facts: list[AlertFact], found: Items, publish: Publish) -> None:
    """One event per fact, id = its signature, shaped for the topic's kind."""
    for fact in facts:
        await publish(StreamEvent(topic.name, fact.signature, items_payload(topic.kind, found[fact.signature])))


class JupiterTraderBridge:
    """trades/history of one wallet: alerts when the wallet can be covered, polling otherwise."""

    def __init__(self, topic: Topic, streams: JupiterStreams) -> None:
        self.topic, self.streams = topic, streams
        self.mode = "starting"  # alerts | polling: which path runs (for /readyz-style reports and tests)
        self.poller: TraderPoller | None = None
        self.status = BridgeStatus()

    async def _covered(self) -> bool:
        """Whether alerts cover the wallet; a lookup that keeps failing is not retried forever
        (silently): after ENROL_ATTEMPTS failures the wallet is polled, the error on record."""
        backoff = Backoff(base=0.5, cap=8.0)
        for attempt in range(1, ENROL_ATTEMPTS + 1):
            try:
                return await self.streams.enroller.ensure(self.topic.key)
            except GatewayError as exc:
                self.status.trouble(exc)
                if attempt == ENROL_ATTEMPTS:
                    log.warning("%s: watchlist check failed %d times (%s); polling the wallet instead",
                                self.topic.name, attempt, exc.code)
                    break
                delay = backoff.next()
                STREAM_RECONNECTS.inc()
                log.warning("%s: watchlist check failed (%s); retrying in %.1f s", self.topic.name, exc.code, delay)
                await asyncio.sleep(delay)
        return False

    async def run(self, publish: Publish) -> None:
        feed = self.streams.feed
        if feed is not None and await self._covered():
            async with feed.listen(self.topic.key) as alerts:
                if await alerts.ready():
                    self.mode = "alerts"
                    self.status.ok()
                    await self._follow(alerts, publish)
        self.mode = "polling"
        self.poller = TraderPoller(self.topic, self.streams.source, self.streams.trader_budget, TRADER_POLL_COST,
                                   status=self.status, mode="polling")
        await self.poller.run(publish)

    def _socket_lost_for_good(self) -> bool:
        """The shared alert socket has been down for the hub's fail_after: time to poll."""
        feed = self.streams.feed
        if feed is None or feed.connected or feed.down_since is None:
            if feed is not None and feed.connected and self.status.state == "reconnecting":
                self.status.ok()
            return False
        self.status.state = "reconnecting"
        return time.monotonic() - feed.down_since >= self.status.fail_after


    async def _follow(self, alerts: AlertListener, publish: Publish) -> None:
        """Publish each alert until the socket loses its key or the wallet its coverage (someone
        removed it from the watchlist, or switched its alerts off): checked every COVER_CHECK s."""
        quiet = 0.0
        while True:
            try:
                facts = await asyncio.wait_for(alerts.__anext__(), SOCKET_CHECK)
            except StopAsyncIteration:
                return
            except TimeoutError:
                quiet += SOCKET_CHECK
                if self._socket_lost_for_good():
                    log.warning("%s: alert socket down too long; polling the wallet", self.topic.name)
                    return
                if quiet >= COVER_CHECK:
                    quiet = 0.0
                    if not await self._covered():
                        log.warning("%s: wallet no longer covered by alerts; polling it", self.topic.name)
                        return
                continue
            quiet = 0.0
            received = time.time()
            found = await self.streams.resolver.trader(self.topic.key, facts, received)
            await publish_resolved(self.topic, facts, found, publish)


class JupiterLiveBridge:
    """Every trade of the tracked traders: live-trades polled, de-duplicated by signature."""

    def __init__(self, topic: Topic, streams: JupiterStreams) -> None:
        self.topic, self.streams = topic, streams
        self.items = NewItems()
        self.status = BridgeStatus()

    async def poll(self, publish: Publish) -> None:
        items = await self.streams.source.trade_history(HistoryQuery(trader=None, page=Page(limit=MAX_LIMIT)))
        fresh = self.items.fresh(items)  # the source lists them oldest first
        if fresh:
            await publish_items(self.topic, fresh, publish)

    async def run(self, publish: Publish) -> None:
        await poll_forever(self.streams.live_budget, LIVE_POLL_COST, lambda: self.poll(publish), self.topic.name,
                           status=self.status)


def bridges(section: PerpsTrackerSettings, ctx: StreamContext) -> BridgeFactory:
    """Traders by the alert WebSocket (wallets enrolled on the watchlist), else polled; the live
    feed and markets polled. One alert socket per API key, built on the first trader topic."""
    s = ctx.settings
    limits = endpoints.limits(section.rate_limits)
    trader_budget = PollBudget("perpstracker historical", per_minute(limits[endpoints.HISTORICAL]),
                               share=s.poll_share, min_interval=s.poll_interval)
    live_budget = PollBudget("perpstracker live trades", per_minute(limits[endpoints.LIVE_TRADES]),
                             share=s.poll_share, min_interval=s.poll_interval)
    source = ctx.source
    if not isinstance(source, PerpsTrackerSource):
        raise TypeError("JUPITER streams need the PerpsTracker source")
    built: list[JupiterStreams] = []

    def streams() -> JupiterStreams:
        if not built:
            key = section.api_key
            feed = AlertFeed(section.ws_url, key, source.client) if key is not None else None
            built.append(JupiterStreams(
                source=source, feed=feed, enroller=Enroller(source.client, section.enrol),
                resolver=Resolver(source), trader_budget=trader_budget, live_budget=live_budget))
        return built[0]

    def build(topic: Topic) -> Bridge:
        if topic.kind in ("trades", "history"):
            return JupiterTraderBridge(topic, streams())
        if topic.kind == "live":
            return JupiterLiveBridge(topic, streams())
        if topic.kind == "borrowing":
            return borrowing_poller(topic, source, live_budget, BORROWING_POLL_COST)
        return borrowings_poller(topic, source, live_budget, 0.0)

    return build
