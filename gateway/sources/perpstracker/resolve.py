"""From a pushed fact to the items a query returns for it, by re-reading through the source.

An alert (or webhook) says *that* a wallet traded, not which position: it has no position key, so
the schema objects a query returns for that trade (item ids, the trade's id and state) cannot be
computed from it. The bridges therefore re-read the trader through the JUPITER source — the very
code `tradeHistory` runs, with its cache, single-flight and rate limits — and send the items whose
transaction is the fact's.

Every re-read carries a freshness hint (`gateway.policy.freshness`): the first one refuses cached
answers fetched before the fact was received, each retry refuses those fetched before the previous
attempt (which did not list the trade yet), so a cached answer never hides a new trade and never
delays it by the cache's TTL. The upstream may index a trade a moment after alerting it, so a
signature not found is looked for again every half second for 12 s; only then is the item mapped
from the fact alone (`alert_mapping.map_fact`, what it lacks is in docs/mapping-jupiter.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from gateway.errors import GatewayError
from gateway.model.source import MAX_LIMIT, HistoryQuery, Page, PerpSource
from gateway.model.types import PerpTradeHistoryItem
from gateway.policy.freshness import fresh_after
from gateway.sources.perpstracker.alert_mapping import AlertFact, map_fact

log = logging.getLogger("gateway.streams.perpstracker")

RETRY_DELAYS = (0.5,) * 24
Items = dict[str, list[PerpTradeHistoryItem]]


class Resolver:
    def __init__(self, source: PerpSource, delays: Sequence[float] = RETRY_DELAYS,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.source, self.delays, self._sleep = source, tuple(delays), sleep
        self.fallbacks = 0  # facts answered from the push alone (the upstream never showed them)

    async def trader(self, wallet: str, facts: Sequence[AlertFact], known_at: float | None = None) -> Items:
        """Each fact's items as `tradeHistory(where: {trader: wallet})` returns them; `known_at`
        (time.time(), default now): when the facts were received, older cached answers are not used."""
        return await self._resolve(facts, HistoryQuery(trader=wallet, page=Page(limit=MAX_LIMIT)), known_at)

    async def live(self, facts: Sequence[AlertFact], known_at: float | None = None) -> Items:
        """Each fact's items as `tradeHistory(where: {venue: JUPITER})` (live-trades) returns them."""
        return await self._resolve(facts, HistoryQuery(trader=None, page=Page(limit=MAX_LIMIT)), known_at)

    async def _resolve(self, facts: Sequence[AlertFact], query: HistoryQuery, known_at: float | None) -> Items:
        wanted = {f.signature for f in facts}
        found: Items = {}
        fresh_from = time.time() if known_at is None else known_at
        for attempt, delay in enumerate((0.0, *self.delays)):
            if delay:
                await self._sleep(delay)
            try:
                with fresh_after(fresh_from):
                    fresh_from = time.time()  # a retry must not reuse this attempt's answer
                    items = await self.source.trade_history(query)
            except GatewayError as exc:
                log.info("JUPITER re-read failed (attempt %d: %s)", attempt + 1, exc.code)
                continue
            found = {}
            for item in items:
                if item.txHash in wanted:
                    found.setdefault(item.txHash, []).append(item)
            if wanted <= found.keys():
                break
        for fact in facts:
            if fact.signature not in found:
                self.fallbacks += 1
                log.info("JUPITER trade not in the upstream's %s yet: mapped from the push alone",
                         "history" if query.trader else "live trades")
                found[fact.signature] = [map_fact(fact)]
        return found
