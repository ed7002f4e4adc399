"""The documents the gateway sends to Sai Keeper: every Sai field of each type, nothing more.

Selecting all of Sai's fields (rather than the caller's selection) keeps one upstream document per
root field, which caching and batching can share; the answer for any Sai field is unchanged.
Several loads of one root field in an operation become one document with aliases (`aliased`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

TOKEN = "id symbol name logoUrl tradingViewSymbol permissionGroup description type"
SCHEDULE = ("tradingSchedule { name timezone startDayOfWeek startTimeOfDay closeDayOfWeek closeTimeOfDay "
            "holidays }")
SHORT_INFO = (f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} visible "
              f"isOpen {SCHEDULE} price oiLong oiShort oiMax feesPerHourLong feesPerHourShort "
              "priceChangePct24Hrs minLeverage maxLeverage openFeePct closeFeePct")
TRADE = (
    "id trader isOpen isLong tradeType leverage collateralAmount openCollateralAmount openPrice closePrice "
    f"sl tp perpBorrowing {{ {SHORT_INFO} }} openBlock {{ block block_ts }} closeBlock {{ block block_ts }} "
    "state { pnlCollateral pnlPct pnlCollateralAfterFees positionValue liquidationPrice "
    "borrowingFeeCollateral borrowingFeePct closingFeeCollateral closingFeePct remainingCollateralAfterFees }"
)
HISTORY = (
    f"id tradeChangeType block {{ block block_ts }} trade {{ {TRADE} }} realizedPnlCollateral realizedPnlPct "
    "txHash evmTxHash collateralPrice openingFeeUsd closingFeeUsd"
)
BORROWING = (
    f"marketId baseToken {{ {TOKEN} }} quoteToken {{ {TOKEN} }} collateralToken {{ {TOKEN} }} price oiLong "
    "oiShort oiMax feesPerHourLong feesPerHourShort openFeePct closeFeePct triggerOrderFeePct maxLeverage "
    f"minLeverage minPositionSizeUSD visible isOpen {SCHEDULE} price24HrsAgo priceChangePct24Hrs minPrice24Hrs "
    "maxPrice24Hrs volumeUsd priceImpactOiLongUsd priceImpactOiShortUsd priceImpactOnePercentDepthAboveUsd "
    "priceImpactOnePercentDepthBelowUsd priceImpactExponent"
)

TRADES = (
    "query GatewayTrades($where: PerpTradesFilter!, $limit: Int, $offset: Int, $order_by: PerpTradesOrder, "
    "$order_desc: Boolean) { perp { trades(where: $where, limit: $limit, offset: $offset, "
    f"order_by: $order_by, order_desc: $order_desc) {{ {TRADE} }} }} }}"
)
TRADE_ONE = (
    "query GatewayTrade($id: Int!, $trader: String!) "
    f"{{ perp {{ trade(id: $id, trader: $trader) {{ {TRADE} }} }} }}"
)
TRADE_HISTORY = (
    "query GatewayTradeHistory($where: PerpTradeHistoryFilter, $limit: Int, $offset: Int, "
    "$order_by: PerpTradeHistoryOrder, $order_desc: Boolean) { perp { tradeHistory(where: $where, "
    f"limit: $limit, offset: $offset, order_by: $order_by, order_desc: $order_desc) {{ {HISTORY} }} }} }}"
)
BORROWING_ONE = (
    "query GatewayBorrowing($collateralId: Int!, $marketId: Int!) "
    f"{{ perp {{ borrowing(collateralId: $collateralId, marketId: $marketId) {{ {BORROWING} }} }} }}"
)
LEADERBOARD_ROW = ("rank reward trader traderEvmAddress realizedPnlTotalUsd roiTotal capitalUsedUsd "
                   "volumeTotalUsd")
LEADERBOARD = ("query GatewayLeaderboard($limit: Int, $offset: Int) { perp { leaderboard(limit: $limit, "
               f"offset: $offset) {{ {LEADERBOARD_ROW} }} }} }}")
BORROWINGS = (
    "query GatewayBorrowings($where: PerpBorrowingsFilter, $limit: Int, $offset: Int, "
    "$order_by: PerpBorrowingsOrder, $order_desc: Boolean) { perp { borrowings(where: $where, limit: $limit, "
    f"offset: $offset, order_by: $order_by, order_desc: $order_desc) {{ {SHORT_INFO} }} }} }}"
)


@dataclass(frozen=True)
class RootField:
    """A `perp` root field as a batch document asks for it: arguments with their types, and the
    selection (every Sai field, as in the single documents above) as a fragment on `on`; `single`
    is the document one load sends alone (same variable names)."""

    name: str
    args: tuple[tuple[str, str], ...]
    on: str | None  # None: the row type's live name is unknown (evidence §3.11), so no fragment names it
    selection: str
    single: str


TRADES_FIELD = RootField(
    "trades", (("where", "PerpTradesFilter!"), ("limit", "Int"), ("offset", "Int"),
               ("order_by", "PerpTradesOrder"), ("order_desc", "Boolean")), "PerpTrade", TRADE, TRADES)
TRADE_FIELD = RootField("trade", (("id", "Int!"), ("trader", "String!")), "PerpTrade", TRADE, TRADE_ONE)
HISTORY_FIELD = RootField(
    "tradeHistory", (("where", "PerpTradeHistoryFilter"), ("limit", "Int"), ("offset", "Int"),
                     ("order_by", "PerpTradeHistoryOrder"), ("order_desc", "Boolean")),
    "PerpTradeHistoryItem", HISTORY, TRADE_HISTORY)
BORROWINGS_FIELD = RootField(
    "borrowings", (("where", "PerpBorrowingsFilter"), ("limit", "Int"), ("offset", "Int"),
                   ("order_by", "PerpBorrowingsOrder"), ("order_desc", "Boolean")),
    "PerpBorrowingShortInfo", SHORT_INFO, BORROWINGS)
LEADERBOARD_FIELD = RootField(
    "leaderboard", (("limit", "Int"), ("offset", "Int")), None, LEADERBOARD_ROW, LEADERBOARD)


def alias(index: int) -> str:
    return f"t{index}"


@functools.lru_cache(maxsize=256)
def aliased(field: RootField, count: int) -> str:
    """One document asking `field` `count` times under aliases, each with its own variables:
    `query GatewayTradesBatch($where0: PerpTradesFilter!, …) { perp { t0: trades(where: $where0, …)
    { ...F } t1: … } } fragment F on PerpTrade { … }`."""
    definitions = ", ".join(f"${arg}{i}: {kind}" for i in range(count) for arg, kind in field.args)
    body = "...F" if field.on else field.selection
    calls = " ".join(
        f"{alias(i)}: {field.name}(" + ", ".join(f"{arg}: ${arg}{i}" for arg, _ in field.args) + f") {{ {body} }}"
        for i in range(count))
    name = field.name[0].upper() + field.name[1:]
    # named after the single document (GatewayTrades → GatewayTradesBatch): the upstream policy
    # classifies Sai Keeper documents by operation-name prefix for their TTL
    fragment = f" fragment F on {field.on} {{ {field.selection} }}" if field.on else ""
    return f"query Gateway{name}Batch({definitions}) {{ perp {{ {calls} }} }}{fragment}"


def aliased_variables(per_alias: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The variables of `aliased`: alias i's `where` is `$where{i}`, and so on."""
    return {f"{arg}{i}": value for i, values in enumerate(per_alias) for arg, value in values.items()}
