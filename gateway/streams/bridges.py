"""Which bridge runs a topic: the hub's `BridgeFactory` for a configuration and its sources.

    venue        trades / history                   borrowing / borrowings      live
    NIBIRU       Sai Keeper subscription (gql,      Sai Keeper subscription     tradeHistory polled
                 graphql-transport-ws), gap-filled   (snapshot on reconnect)     (no all-trades subscription)
    JUPITER      PerpsTracker alert WebSocket for    source polled               live-trades polled
                 enrolled wallets, else polled
    HYPERLIQUID  source polled (Nansen profiler)     source polled (screener)    tgm/perp-trades per coin

Everything a venue's bridges share is built once per factory: the JUPITER alert socket (one per
API key), its enroller and resolver, and one `PollBudget` per upstream rate-limit bucket, whose
limits are the ones the upstream policy enforces (gateway/policy/tables.py, overridable).
docs/operations-bridges.md is the operator's view of the same table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from gateway.errors import SourceNotConfigured
from gateway.model.source import PerpSource
from gateway.model.venue import SOURCE_OF, Venue
from gateway.policy.runtime import perpstracker_limits
from gateway.policy.tables import HISTORICAL, LIVE_TRADES, NANSEN_LIMITS
from gateway.policy.windowlog import Window
from gateway.settings import Settings
from gateway.sources import markets
from gateway.sources.nansen.source import NansenSource
from gateway.sources.nansen.stream import HyperliquidLiveBridge
from gateway.sources.nibiru import bridges as nb
from gateway.sources.perpstracker.alerts import AlertFeed
from gateway.sources.perpstracker.enrol import Enroller
from gateway.sources.perpstracker.resolve import Resolver
from gateway.sources.perpstracker.source import PerpsTrackerSource
from gateway.sources.perpstracker.stream import (
    BORROWING_POLL_COST,
    JupiterLiveBridge,
    JupiterStreams,
    JupiterTraderBridge,
)
from gateway.streams.pollers import TraderPoller, borrowing_poller, borrowings_poller
from gateway.streams.polling import PollBudget
from gateway.streams.types import Bridge, BridgeFactory, Topic

NANSEN_TRADER_COST = 2.0  # positions + the newest page of fills
NANSEN_SCREENER_COST = 1.0


def per_minute(windows: Sequence[Window]) -> float:
    """The sustained rate a set of windows allows, in calls per minute."""
    return min(w.limit * 60.0 / w.seconds for w in windows)


class _Factory:
    def __init__(self, settings: Settings, sources: Mapping[Venue, PerpSource | None]) -> None:
        self.settings, self.sources = settings, sources
        s = settings
        self.nibiru_budget = PollBudget("nibiru", None, share=s.poll_share, min_interval=s.poll_interval)
        limits = perpstracker_limits(s.perpstracker_rate_limits)
        self.jupiter_trader_budget = PollBudget("perpstracker historical", per_minute(limits[HISTORICAL]),
                                                share=s.poll_share, min_interval=s.poll_interval)
        self.jupiter_live_budget = PollBudget("perpstracker live trades", per_minute(limits[LIVE_TRADES]),
                                              share=s.poll_share, min_interval=s.poll_interval)
        nansen_minute = (s.nansen_rate_limits or NANSEN_LIMITS)[1]
        self.nansen_budget = PollBudget("nansen", nansen_minute, share=s.poll_share, min_interval=s.poll_interval)
        self._jupiter: JupiterStreams | None = None

    def source(self, venue: Venue) -> PerpSource:
        found = self.sources.get(venue)
        if found is None:
            raise SourceNotConfigured(SOURCE_OF[venue], f"{venue.value} is not configured on this gateway")
        return found

    def __call__(self, topic: Topic) -> Bridge:
        build = {Venue.NIBIRU: self.nibiru, Venue.JUPITER: self.jupiter, Venue.HYPERLIQUID: self.hyperliquid}
        return build[topic.venue](topic)

    # ---- per venue -------------------------------------------------------------------------

    def nibiru(self, topic: Topic) -> Bridge:
        source = self.source(Venue.NIBIRU)
        url = self.settings.nibiru_ws_url
        kinds: dict[str, Callable[[], Bridge]] = {
            "history": lambda: nb.NibiruHistoryBridge(topic, url),
            "trades": lambda: nb.NibiruTradesBridge(topic, url),
            "borrowing": lambda: nb.NibiruBorrowingBridge(topic, url),
            "borrowings": lambda: nb.NibiruBorrowingsBridge(topic, url),
            "live": lambda: nb.NibiruLiveBridge(topic, source, self.nibiru_budget),
        }
        return kinds[topic.kind]()

    def jupiter(self, topic: Topic) -> Bridge:
        streams = self.jupiter_streams()
        if topic.kind in ("trades", "history"):
            return JupiterTraderBridge(topic, streams)
        if topic.kind == "live":
            return JupiterLiveBridge(topic, streams)
        if topic.kind == "borrowing":
            return borrowing_poller(topic, streams.source, self.jupiter_live_budget, BORROWING_POLL_COST)
        return borrowings_poller(topic, streams.source, self.jupiter_live_budget, 0.0)

    def jupiter_streams(self) -> JupiterStreams:
        if self._jupiter is not None:
            return self._jupiter
        source = self.source(Venue.JUPITER)
        if not isinstance(source, PerpsTrackerSource):
            raise TypeError("JUPITER streams need the PerpsTracker source")
        key = self.settings.perpstracker_api_key
        feed = AlertFeed(self.settings.perpstracker_ws_url, key, source.client) if key is not None else None
        self._jupiter = JupiterStreams(
            source=source, feed=feed, enroller=Enroller(source.client, self.settings.perpstracker_enrol),
            resolver=Resolver(source), trader_budget=self.jupiter_trader_budget,
            live_budget=self.jupiter_live_budget)
        return self._jupiter

    def hyperliquid(self, topic: Topic) -> Bridge:
        source = self.source(Venue.HYPERLIQUID)
        if topic.kind in ("trades", "history"):
            return TraderPoller(topic, source, self.nansen_budget, NANSEN_TRADER_COST)
        if topic.kind == "borrowing":
            return borrowing_poller(topic, source, self.nansen_budget, NANSEN_SCREENER_COST)
        if topic.kind == "borrowings":
            return borrowings_poller(topic, source, self.nansen_budget, NANSEN_SCREENER_COST)
        if not isinstance(source, NansenSource):
            raise TypeError("the HYPERLIQUID live feed needs the Nansen source")
        tokens = self.settings.hyperliquid_live_tokens or tuple(markets.HYPERLIQUID_ASSETS)
        return HyperliquidLiveBridge(topic, source.client, tokens, self.nansen_budget)


def build_bridge_factory(settings: Settings, sources: Mapping[Venue, PerpSource | None]) -> BridgeFactory:
    """The factory the hub calls with a topic on its first subscriber (on one replica at a time)."""
    return _Factory(settings, sources)
