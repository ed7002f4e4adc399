"""A fourth venue defined entirely in test code: the proof that one package is a whole venue.

"DYDX" here is a made-up REST upstream (`upstream.py`) with one trader's fills. This package is
what a new source package under gateway/sources/ would hold: settings, a client sending through
the policy chain, a mapping to the model, an endpoint table, bridges and an address rule, tied
together by one `Descriptor`. The gateway loads it with
`GATEWAY_VENUE_PLUGINS=DYDX=tests.sources.fourth_venue`; nothing in the product knows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from gateway.model.ids import stable_id
from gateway.model.source import BorrowingsQuery, HistoryQuery, LeaderboardQuery, TradesQuery
from gateway.model.types import (
    Block,
    PerpBorrowing,
    PerpBorrowingShortInfo,
    PerpLeaderboardEntry,
    PerpTrade,
    PerpTradeChangeType,
    PerpTradeHistoryItem,
    PerpTradeType,
)
from gateway.model.venue import Venue
from gateway.policy.endpoints import Endpoint, RestTable, Route
from gateway.policy.runtime import UpstreamSpec
from gateway.settings import Getter, Settings
from gateway.sources.descriptor import Built, Descriptor, StreamContext
from gateway.sources.http import request_json, timeout_of
from gateway.sources.markets import MarketTable
from gateway.streams.pollers import TraderPoller
from gateway.streams.polling import PollBudget
from gateway.streams.types import Bridge, BridgeFactory, Topic

VENUE = Venue["DYDX"]
MARKETS = MarketTable(VENUE, {"ETH": 1, "BTC": 2})
ADDRESS = re.compile(r"dydx1[0-9a-z]{38}")


@dataclass(frozen=True)
class DydxSettings:
    api_url: str = "https://dydx.invalid"
    explicit: bool = False

    @classmethod
    def from_env(cls, get: Getter) -> DydxSettings:
        url = get("DYDX_API_URL")
        return cls(api_url=url or cls.api_url, explicit=url is not None)

    def env(self) -> dict[str, str]:
        return {"DYDX_API_URL": self.api_url}

    def sandbox(self, base_url: str, keys: Mapping[str, str]) -> DydxSettings:
        return self


def _item(row: dict[str, Any], trader: str) -> PerpTradeHistoryItem:
    when = row["time"]
    trade = PerpTrade(
        id=stable_id(row["id"]), trader=trader, isOpen=True, isLong=True,
        tradeType=PerpTradeType.trade, leverage=None, collateralAmount=None, openCollateralAmount=None,
        openPrice=row["price"], closePrice=None, sl=None, tp=None, perpBorrowing=MARKETS.short_info(row["market"]),
        openBlock=Block(block=None, block_ts=when), closeBlock=None, state=None, venue=VENUE,
        venueTradeId=row["id"], market=row["market"], sizeUsd=row["sizeUsd"], collateralUsd=None,
        openTime=when, closeTime=None)
    return PerpTradeHistoryItem(
        id=stable_id(row["id"] + ":fill"), tradeChangeType=PerpTradeChangeType.position_opened,
        block=Block(block=None, block_ts=when), trade=trade, realizedPnlCollateral=None, realizedPnlPct=None,
        txHash=row["id"], evmTxHash=None, venue=VENUE, trader=trader, market=row["market"], price=row["price"],
        sizeDeltaUsd=row["sizeUsd"])


class DydxSource:
    venue = VENUE
    name = "dydx"

    def __init__(self, section: DydxSettings, built: Built) -> None:
        self.client = httpx.AsyncClient(base_url=section.api_url, transport=built.transport,
                                        timeout=timeout_of(built.settings.upstream_timeout))

    async def _fills(self, trader: str) -> list[PerpTradeHistoryItem]:
        body = await request_json(self.client, self.name, "GET", f"/fills/{trader}")
        return [_item(row, trader) for row in body["fills"]]

    async def trades(self, q: TradesQuery) -> list[PerpTrade]:
        return q.page.apply([i.trade for i in await self._fills(q.trader)])

    async def trade(self, trader: str, trade_id: int) -> PerpTrade | None:
        return next((i.trade for i in await self._fills(trader) if i.trade.id == trade_id), None)

    async def trade_history(self, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
        return q.page.apply(await self._fills(q.trader or ""))

    async def borrowing(self, collateral_id: int, market_id: int) -> PerpBorrowing | None:
        return None

    async def borrowings(self, q: BorrowingsQuery) -> list[PerpBorrowingShortInfo]:
        return q.page.apply([MARKETS.short_info(s) for s in MARKETS.known])

    async def leaderboard(self, q: LeaderboardQuery) -> list[PerpLeaderboardEntry]:
        return []

    async def aclose(self) -> None:
        await self.client.aclose()


TABLE = RestTable([Route("GET", "/fills/{trader}", Endpoint("dydx.fills", 1.0, "requests"))],
                  Endpoint("dydx.other", 0, "requests"))


def _policy(section: DydxSettings, settings: Settings) -> UpstreamSpec:
    from gateway.policy.ratelimit import windows_of

    return UpstreamSpec("dydx", "dydx", section.api_url, TABLE, {"requests": windows_of(50, 1000)})


def _bridges(section: DydxSettings, ctx: StreamContext) -> BridgeFactory:
    budget = PollBudget("dydx", 1000, share=1.0, min_interval=ctx.settings.poll_interval)

    def build(topic: Topic) -> Bridge:
        if topic.kind not in ("trades", "history"):
            raise ValueError(f"no {topic.kind} stream on dydx")
        return TraderPoller(topic, ctx.source, budget, 1.0)

    return build


DESCRIPTOR = Descriptor(
    name="dydx", venue="DYDX", label="dydx", section_from_env=DydxSettings.from_env,
    build=lambda section, built: DydxSource(section, built), policy=_policy,
    owns_address=lambda a: ADDRESS.fullmatch(a) is not None, address_hint="dydx1 and 38 characters",
    bridges=_bridges, endpoint_names=TABLE.names,
)
