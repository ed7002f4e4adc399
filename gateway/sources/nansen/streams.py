"""HYPERLIQUID's live feed from Nansen, which has no stream: every fill of the venue's coins, polled.

What "all trades of the venue" can mean with Nansen's API: Nansen has no venue-wide fills
endpoint. `/tgm/perp-trades` lists *every* trader's fills of *one* coin; `/smart-money/perp-trades`
lists all coins but only labelled ("smart money") traders. The live feed must not silently drop
most traders, so it polls `/tgm/perp-trades` once per coin of NANSEN_LIVE_TOKENS (default: the
gateway's Hyperliquid market table), newest first, and sends the fills it has not seen, de-duplicated
by transaction hash (and trader and coin). Coins outside that list are not covered: the honest
reading is "every fill of the configured coins", at Nansen's indexing delay and the poll interval.

The interval follows the Nansen budget (polling.py): one poll costs one request per coin (more when
a coin had more than a page of fills since the last poll), so a long coin list polls less often.
The other HYPERLIQUID kinds poll the source (streams/pollers.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence

from gateway.model.types import PerpTradeHistoryItem
from gateway.sources.descriptor import StreamContext
from gateway.sources.nansen.client import NansenClient
from gateway.sources.nansen.endpoints import LIMITS
from gateway.sources.nansen.mapping import map_token_trade
from gateway.sources.nansen.markets import ASSETS
from gateway.sources.nansen.settings import NansenSettings
from gateway.sources.nansen.source import NansenSource
from gateway.sources.units import utc
from gateway.streams.changes import NewItems, item_key
from gateway.streams.pollers import TraderPoller, borrowing_poller, borrowings_poller, publish_items
from gateway.streams.polling import PollBudget, poll_forever
from gateway.streams.status import BridgeStatus
from gateway.streams.types import Bridge, BridgeFactory, Publish, Topic

PER_PAGE = 100
MAX_PAGES = 5  # per coin and poll: fills beyond 500 since the last poll are not replayed


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


class HyperliquidLiveBridge:
    def __init__(self, topic: Topic, client: NansenClient, tokens: Sequence[str], budget: PollBudget,
                 today: Callable[[], datetime.date] = _today) -> None:
        self.topic, self.client, self.tokens, self.budget = topic, client, tuple(tokens), budget
        self._today = today
        self.items = {token: NewItems() for token in self.tokens}  # each coin primes on its first poll
        self.status = BridgeStatus()

    async def _coin(self, token: str) -> list[PerpTradeHistoryItem]:
        today = self._today()
        known = self.items[token]
        rows: list[PerpTradeHistoryItem] = []
        for page in range(1, MAX_PAGES + 1):
            answer = await self.client.token_trades(token, today - datetime.timedelta(days=1), today, page, PER_PAGE)
            mapped = [i for i in (map_token_trade(r) for r in answer["data"]) if i is not None]
            rows.extend(mapped)
            if (answer["pagination"]["is_last_page"] or not known.primed
                    or any(item_key(i) in known.seen for i in mapped)):
                break
        return known.fresh(list(reversed(rows)))  # newest first upstream: oldest first here

    async def poll(self, publish: Publish) -> None:
        fresh: list[PerpTradeHistoryItem] = []
        try:
            for token in self.tokens:
                fresh.extend(await self._coin(token))
        finally:  # a coin that failed must not lose the fills the coins before it already took
            fresh.sort(key=lambda i: utc(i.block.block_ts))  # stable: a coin's own order within a time
            if fresh:
                await publish_items(self.topic, fresh, publish)

    async def run(self, publish: Publish) -> None:
        await poll_forever(self.budget, max(1, len(self.tokens)), lambda: self.poll(publish), self.topic.name,
                           status=self.status)


TRADER_COST = 2.0  # positions + the newest page of fills
SCREENER_COST = 1.0


def bridges(section: NansenSettings, ctx: StreamContext) -> BridgeFactory:
    """Everything polled (Nansen has no streams): traders by the profiler, markets by the screener,
    the live feed by each coin's token trades; one budget, the share of Nansen's limit pollers may use."""
    s = ctx.settings
    budget = PollBudget("nansen", (section.rate_limits or LIMITS)[1], share=s.poll_share,
                        min_interval=s.poll_interval)
    source = ctx.source

    def build(topic: Topic) -> Bridge:
        if topic.kind in ("trades", "history"):
            return TraderPoller(topic, source, budget, TRADER_COST)
        if topic.kind == "borrowing":
            return borrowing_poller(topic, source, budget, SCREENER_COST)
        if topic.kind == "borrowings":
            return borrowings_poller(topic, source, budget, SCREENER_COST)
        if not isinstance(source, NansenSource):
            raise TypeError("the live feed needs the Nansen source")
        return HyperliquidLiveBridge(topic, source.client, section.live_tokens or tuple(ASSETS), budget)

    return build
