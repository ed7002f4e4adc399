"""Filter inputs and order enums: Sai Keeper's, each with the gateway's optional `venue`."""

from __future__ import annotations

import datetime
import enum

import strawberry

from gateway.model.types import PerpTimeframe, PerpTradeChangeType
from gateway.model.venue import Venue

VENUE_HELP = "Optional; when omitted the trader address decides (nibi1… NIBIRU, base58 JUPITER, 0x HYPERLIQUID)."


@strawberry.enum
class PerpTradesOrder(enum.Enum):
    sequence = "sequence"


@strawberry.enum
class PerpTradeHistoryOrder(enum.Enum):
    sequence = "sequence"
    trade_id = "trade_id"


@strawberry.enum
class PerpBorrowingsOrder(enum.Enum):
    base_token_name = "base_token_name"


@strawberry.enum
class PerpLeaderboardOrder(enum.Enum):
    rank = "rank"
    pnl = "pnl"
    roi = "roi"
    volume = "volume"
    win_rate = "win_rate"
    trades = "trades"
    account_value = "account_value"


@strawberry.input
class PerpTradesFilter:
    trader: str
    isOpen: bool | None = None
    perpMarketId: int | None = None
    perpCollateralId: int | None = None
    venue: Venue | None = strawberry.field(default=None, description=VENUE_HELP)


@strawberry.input
class PerpTradeHistoryFilter:
    trader: str | None = None
    tradeChangeType: list[PerpTradeChangeType] | None = None
    venue: Venue | None = strawberry.field(
        default=None, description=VENUE_HELP + " Without a trader it defaults to NIBIRU.")


@strawberry.input
class PerpBorrowingsFilter:
    marketId: int | None = None
    collateralId: int | None = None
    venue: Venue | None = strawberry.field(default=None, description="Defaults to NIBIRU.")


@strawberry.input
class PerpLeaderboardFilter:
    venue: Venue | None = strawberry.field(
        default=None, description="Omitted: every configured venue whose leaderboard ranks a window "
        "(NIBIRU's has all-time totals only: name it, without timeframe or dates).")
    timeframe: PerpTimeframe | None = strawberry.field(
        default=None, description="Rolling window; DAY when neither timeframe nor from/to is given.")
    from_: datetime.date | None = strawberry.field(default=None, name="from")
    to: datetime.date | None = None
    token: str | None = strawberry.field(
        default=None, description="Base symbol (BTC): rank traders on that market only, where the venue can.")


@strawberry.input
class SubPerpTradesFilter:
    trader: str
    venue: Venue | None = strawberry.field(default=None, description=VENUE_HELP)


@strawberry.input
class SubPerpTradeHistoryFilter:
    trader: str
    venue: Venue | None = strawberry.field(default=None, description=VENUE_HELP)


@strawberry.input
class PerpLiveTradesFilter:
    venue: Venue | None = strawberry.field(default=None, description="Omitted: every configured venue.")
    market: str | None = strawberry.field(default=None, description="Base symbol, e.g. SOL.")
    minSizeUsd: float | None = None
