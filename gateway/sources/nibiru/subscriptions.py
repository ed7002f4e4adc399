"""Sai Keeper's subscriptions that only NIBIRU has, bridged through the hub.

`tokenPricesUsd`, `lpVaults`, `lpDepositHistory`, `lpWithdrawRequests`, `userBalances` and
`userInfo` are forwarded like the NIBIRU-only queries: the caller's selection, printed with its
variables (gateway/api/selection.py), names a hub topic of kind `forward`, so every client asking
the same document shares one upstream subscription (`NibiruForwardBridge`), however many there
are. Each message is Sai Keeper's payload, unchanged. The states among them (`tokenPricesUsd`,
`lpVaults`, `userBalances`, `userInfo`) send the current state first: read with the matching query
where Sai Keeper has one (streams.STATE_FIELDS), and to a client joining a running topic or
execution, the last state at once (the hub and the subscription groups keep it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry

from gateway.api.selection import field_text
from gateway.model.forwarded import wrap
from gateway.sources.nibiru.forward import ForwardInfo
from gateway.sources.nibiru.sai_types import (
    Balance,
    LpDepositHistoryItem,
    LpVault,
    LpWithdrawRequest,
    SubLpDepositHistoryFilter,
    SubLpWithdrawRequestsFilter,
    SubTokenPriceUsdFilter,
    SubUserBalancesFilter,
    SubUserFilter,
    TokenPricesUsd,
    UserInfo,
)
from gateway.sources.nibiru.venue import VENUE
from gateway.streams.feed import open_feed
from gateway.streams.types import StreamEvent, Topic


def _data(event: StreamEvent) -> list[Any]:
    return [wrap(event.payload.get("data"))]


async def _forwarded(info: ForwardInfo, state: bool = False) -> AsyncIterator[Any]:
    info.context.source(VENUE)  # SOURCE_NOT_CONFIGURED before anything is subscribed
    hub = info.context.hub
    if hub is None:
        raise RuntimeError("no stream hub in the context")
    return await open_feed(hub, [Topic("forward", VENUE, field_text(info._raw_info))], _data, state)


@strawberry.type
class SaiSubscriptionFields:
    @strawberry.subscription(description="Oracle prices (NIBIRU), as Sai Keeper sends them.")
    async def tokenPricesUsd(
        self, info: ForwardInfo, where: SubTokenPriceUsdFilter | None = None
    ) -> AsyncIterator[list[TokenPricesUsd]]:
        return await _forwarded(info, state=True)

    @strawberry.subscription(description="Sai Keeper's LP vaults (NIBIRU).")
    async def lpVaults(self, info: ForwardInfo) -> AsyncIterator[list[LpVault]]:
        return await _forwarded(info, state=True)

    @strawberry.subscription(description="Sai Keeper's LP deposit history (NIBIRU).")
    async def lpDepositHistory(
        self, info: ForwardInfo, where: SubLpDepositHistoryFilter
    ) -> AsyncIterator[list[LpDepositHistoryItem]]:
        return await _forwarded(info)

    @strawberry.subscription(description="Sai Keeper's LP withdraw requests (NIBIRU).")
    async def lpWithdrawRequests(
        self, info: ForwardInfo, where: SubLpWithdrawRequestsFilter
    ) -> AsyncIterator[list[LpWithdrawRequest]]:
        return await _forwarded(info)

    @strawberry.subscription(description="A NIBIRU wallet's balances, as Sai Keeper sends them.")
    async def userBalances(self, info: ForwardInfo, where: SubUserBalancesFilter) -> AsyncIterator[list[Balance]]:
        return await _forwarded(info, state=True)

    @strawberry.subscription(description="A NIBIRU wallet's summary, as Sai Keeper sends it.")
    async def userInfo(self, info: ForwardInfo, where: SubUserFilter) -> AsyncIterator[UserInfo | None]:
        return await _forwarded(info, state=True)
