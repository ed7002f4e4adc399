"""Output types: Sai Keeper's `perp` types with the gateway's additive extensions.

Field names are Sai Keeper's exactly (camelCase, and `block_ts`), so the schema is built with
auto camel-casing off. Sai Keeper's non-null fields are loosened to nullable only where another
venue has no value for them (docs/mapping.md says which, venue by venue); nothing is invented to
fill a non-null field.
"""

from __future__ import annotations

import enum

import strawberry

from gateway.model.forwarded import JSON
from gateway.model.time import Time
from gateway.model.venue import Venue


@strawberry.enum(description="How a trade was opened.")
class PerpTradeType(enum.Enum):
    trade = "trade"
    limit = "limit"
    stop = "stop"


@strawberry.enum(description="What happened to a trade. `leverage_updated` is in Sai Keeper's database enum "
                 "(whether its GraphQL sends it is unconfirmed); the last two are gateway additions for venues "
                 "whose positions change size (JUPITER, HYPERLIQUID).")
class PerpTradeChangeType(enum.Enum):
    position_opened = "position_opened"
    position_closed_user = "position_closed_user"
    position_closed_sl = "position_closed_sl"
    position_closed_tp = "position_closed_tp"
    position_liquidated = "position_liquidated"
    sl_updated = "sl_updated"
    tp_updated = "tp_updated"
    limit_order_created = "limit_order_created"
    stop_order_created = "stop_order_created"
    order_triggered = "order_triggered"
    order_closed_user = "order_closed_user"
    leverage_updated = "leverage_updated"
    position_increased = "position_increased"
    position_reduced = "position_reduced"


@strawberry.type(description="A token as a venue names it.")
class Token:
    symbol: str | None = strawberry.field(description="Null for Sai Keeper's custom markets without one.")
    name: str | None = strawberry.field(description="Null where the venue gives no token name.")
    logoUrl: str | None = None
    id: int | None = strawberry.field(default=None, description="Sai Keeper's oracle token index (NIBIRU).")
    tradingViewSymbol: str | None = None
    permissionGroup: int | None = None
    description: str | None = None
    type: str | None = None


@strawberry.type(description="Where and when something happened on chain.")
class Block:
    block: int | None = strawberry.field(
        description="Block height (Nibiru), slot (Solana) or block number (Hyperliquid); "
        "null where the upstream gives only a time.")
    block_ts: Time


@strawberry.type(description="When a market trades (Sai Keeper's stock and commodity markets); null when 24/7.")
class TradingSchedule:
    name: str
    timezone: str
    startDayOfWeek: JSON | None = None
    startTimeOfDay: str | None = None
    closeDayOfWeek: JSON | None = None
    closeTimeOfDay: str | None = None
    holidays: list[str | None] | None = None


@strawberry.type(description="A market of a venue, in brief (the figures are those of PerpBorrowing).")
class PerpBorrowingShortInfo:
    marketId: int
    baseToken: Token
    quoteToken: Token
    collateralToken: Token
    visible: bool
    venue: Venue
    isOpen: bool | None = strawberry.field(default=None, description="Tradeable now.")
    tradingSchedule: TradingSchedule | None = None
    price: float | None = None
    oiLong: int | None = None
    oiShort: int | None = None
    oiMax: int | None = None
    feesPerHourLong: float | None = None
    feesPerHourShort: float | None = None
    priceChangePct24Hrs: float | None = strawberry.field(default=None, description="Percent points.")
    minLeverage: float | None = None
    maxLeverage: float | None = None
    openFeePct: float | None = None
    closeFeePct: float | None = None


@strawberry.type(description="A market of a venue: price, open interest, fees and limits.")
class PerpBorrowing:
    marketId: int
    baseToken: Token
    quoteToken: Token
    collateralToken: Token
    price: float
    oiLong: int | None = strawberry.field(description="Long open interest, micro-units of the collateral.")
    oiShort: int | None = strawberry.field(description="Short open interest, micro-units of the collateral.")
    oiMax: int | None
    feesPerHourLong: float | None = strawberry.field(description="Borrow fee per hour, a ratio.")
    feesPerHourShort: float | None
    openFeePct: float | None
    closeFeePct: float | None
    triggerOrderFeePct: float | None
    maxLeverage: float | None
    minLeverage: float | None
    minPositionSizeUSD: int | None
    visible: bool
    venue: Venue
    oiTotal: int | None = strawberry.field(
        default=None, description="Gateway addition: total open interest in micro-units, where a venue "
        "gives only the total.")
    fundingRatePerHour: float | None = strawberry.field(
        default=None, description="Gateway addition: funding rate per hour, a ratio (HYPERLIQUID).")
    isOpen: bool | None = strawberry.field(default=None, description="Tradeable now.")
    tradingSchedule: TradingSchedule | None = None
    price24HrsAgo: float | None = None
    priceChangePct24Hrs: float | None = strawberry.field(default=None, description="Percent points.")
    minPrice24Hrs: float | None = None
    maxPrice24Hrs: float | None = None
    volumeUsd: float | None = strawberry.field(default=None, description="All-time USD volume (NIBIRU); null "
                                               "where a venue gives only a 24-hour volume (docs/mapping.md).")
    priceImpactOiLongUsd: float | None = None
    priceImpactOiShortUsd: float | None = None
    priceImpactOnePercentDepthAboveUsd: float | None = None
    priceImpactOnePercentDepthBelowUsd: float | None = None
    priceImpactExponent: float | None = None


@strawberry.type(description="A trade's live state: PnL and fees at the current price.")
class PerpTradeState:
    pnlCollateral: float = strawberry.field(description="Micro-units of the collateral.")
    pnlPct: float = strawberry.field(description="A ratio: 0.01 is 1%.")
    pnlCollateralAfterFees: float | None
    positionValue: float | None
    liquidationPrice: float | None
    borrowingFeeCollateral: float | None
    borrowingFeePct: float | None
    closingFeeCollateral: float | None
    closingFeePct: float | None
    remainingCollateralAfterFees: float | None


@strawberry.type(description="A position, open or closed, on any venue.")
class PerpTrade:
    id: int = strawberry.field(description="Sai's per-trader trade index; elsewhere a stable 31-bit id "
                               "derived from venueTradeId.")
    trader: str
    isOpen: bool
    isLong: bool
    tradeType: PerpTradeType
    leverage: float | None
    collateralAmount: int | None = strawberry.field(description="Micro-units of the collateral (6 decimals).")
    openCollateralAmount: int | None
    openPrice: float | None
    closePrice: float | None
    sl: float | None
    tp: float | None
    perpBorrowing: PerpBorrowingShortInfo
    openBlock: Block | None
    closeBlock: Block | None
    state: PerpTradeState | None
    venue: Venue
    venueTradeId: str = strawberry.field(description="The upstream's own key: Sai's trade index, Jupiter's "
                                         "position key, Hyperliquid's coin and opening order id.")
    market: str = strawberry.field(description="Base symbol, e.g. SOL (not WSOL).")
    sizeUsd: float | None
    collateralUsd: float | None
    openTime: Time | None
    closeTime: Time | None


@strawberry.type(description="One change to a trade.")
class PerpTradeHistoryItem:
    id: int
    tradeChangeType: PerpTradeChangeType
    block: Block
    trade: PerpTrade
    realizedPnlCollateral: float | None = strawberry.field(description="Micro-units of the collateral.")
    realizedPnlPct: float | None = strawberry.field(description="A ratio: 0.01 is 1%.")
    txHash: str | None
    evmTxHash: str | None
    venue: Venue
    trader: str
    market: str
    price: float | None = strawberry.field(description="Gateway addition: execution price.")
    sizeDeltaUsd: float | None = strawberry.field(description="Gateway addition: USD size added or removed.")
    collateralPrice: float | None = strawberry.field(default=None, description="USD price of the collateral "
                                                     "at the event.")
    openingFeeUsd: float | None = None
    closingFeeUsd: float | None = None


@strawberry.type(description="A trader's standing on a venue's leaderboard. USD and percent as the venue "
                 "gives them; null where the venue lacks a figure.")
class PerpLeaderboardEntry:
    venue: Venue
    rank: int
    trader: str
    label: str | None
    pnl: float | None
    roi: float | None = strawberry.field(description="Percent.")
    volume: float | None
    winRate: float | None = strawberry.field(description="Percent.")
    trades: int | None
    accountValue: float | None
    score: float | None = strawberry.field(default=None, description="The venue's composite score (0-100).")
    avgLeverage: float | None = strawberry.field(default=None, description="Average leverage used.")
    liquidations: int | None = strawberry.field(default=None, description="Positions liquidated in the window.")
    openPositions: int | None = strawberry.field(default=None, description="Positions open now.")
    unrealizedPnl: float | None = strawberry.field(default=None, description="USD PnL of the open positions.")
    reward: JSON | None = strawberry.field(default=None, description="Sai Keeper's reward (NIBIRU), as it sends it.")
    traderEvmAddress: str | None = None
    realizedPnlTotalUsd: float | None = None
    roiTotal: float | None = strawberry.field(default=None, description="As Sai Keeper gives it (NIBIRU).")
    capitalUsedUsd: float | None = None
    volumeTotalUsd: float | None = None


@strawberry.enum(description="A rolling window ending now: 24 hours, 7, 30 or 365 days.")
class PerpTimeframe(enum.Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


@strawberry.type(description="A trader's figures over a rolling window, as the venue ranks them. "
                 "A trader the venue does not rank in that window has rank and figures null.")
class PerpTraderStats:
    venue: Venue
    trader: str
    timeframe: PerpTimeframe
    rank: int | None = strawberry.field(description="Place on the venue's leaderboard for the window.")
    pnl: float | None = strawberry.field(description="USD.")
    roi: float | None = strawberry.field(description="Percent.")
    winRate: float | None = strawberry.field(description="Percent.")
    trades: int | None = strawberry.field(description="Trades in the window.")
