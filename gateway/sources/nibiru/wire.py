"""The Sai Keeper payloads the NIBIRU source reads (the selections of queries.py), as mapping.py reads them.

Only what the mapping indexes is required; the rest is typed where present. Sai Keeper's integers
exceed 32 bits (micro-unit amounts) and its floats may be integral, so both are `Num`; times are
RFC 3339 strings. A GraphQL answer is `{"data": {"perp": {<field or alias>: ...}}}`.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

Num = int | float


class Token(TypedDict):
    symbol: str
    name: NotRequired[str | None]
    logoUrl: NotRequired[str | None]


class ShortInfo(TypedDict):
    """`PerpBorrowingShortInfo`: a market as trades and `borrowings` carry it."""

    marketId: int
    baseToken: Token
    quoteToken: Token
    collateralToken: Token
    visible: bool


class Block(TypedDict):
    block_ts: str
    block: NotRequired[int | None]


class TradeState(TypedDict):
    pnlCollateral: Num | None
    pnlPct: Num | None


class Trade(TypedDict):
    id: int
    trader: str
    isOpen: bool
    isLong: bool
    tradeType: str
    perpBorrowing: ShortInfo
    leverage: NotRequired[Num | None]
    collateralAmount: NotRequired[Num | None]
    openBlock: NotRequired[Block | None]
    closeBlock: NotRequired[Block | None]
    state: NotRequired[TradeState | None]


class HistoryItem(TypedDict):
    id: int
    tradeChangeType: str
    block: Block
    trade: Trade


class Borrowing(TypedDict):
    """`PerpBorrowing`: one market's state."""

    marketId: int
    baseToken: Token
    quoteToken: Token
    collateralToken: Token
    price: Num
    visible: bool
    oiLong: NotRequired[Num | None]
    oiShort: NotRequired[Num | None]


class LeaderboardRow(TypedDict):
    """A row of `perp.leaderboard` (Sai's PnL board; its type's live name is unknown)."""

    rank: int
    trader: str
    realizedPnlTotalUsd: NotRequired[Num | None]
    volumeTotalUsd: NotRequired[Num | None]
    roiTotal: NotRequired[Num | None]
    capitalUsedUsd: NotRequired[Num | None]
    traderEvmAddress: NotRequired[str | None]
