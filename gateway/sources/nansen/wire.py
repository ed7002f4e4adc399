"""The raw payloads of the Nansen endpoints the gateway reads, as the docs and OpenAPI spell them.

Profiler perp-positions sends its decimals as strings ("5231.62029"); every other endpoint sends
JSON numbers. Only the fields the mapping reads are listed; Nansen sends more.
"""

from __future__ import annotations

from typing import Generic, TypedDict, TypeVar

R = TypeVar("R")


class Pagination(TypedDict):
    page: int
    per_page: int
    is_last_page: bool


class Paged(TypedDict, Generic[R]):
    """Every list endpoint's answer: one page of rows."""

    data: list[R]
    pagination: Pagination


class Position(TypedDict, total=False):
    """`asset_positions[].position` of /api/v1/profiler/perp-positions (numbers are strings)."""

    token_symbol: str
    size: str  # signed, in coins: negative is a short
    entry_price_usd: str
    leverage_value: int
    leverage_type: str
    liquidation_price_usd: str | None
    margin_used_usd: str
    position_value_usd: str
    return_on_equity: str  # a ratio: 2.28 is +228% of the margin
    unrealized_pnl_usd: str
    cumulative_funding_since_open_usd: str


class AssetPosition(TypedDict):
    position: Position
    position_type: str


class PositionsData(TypedDict, total=False):
    asset_positions: list[AssetPosition]
    timestamp: int
    margin_summary_account_value_usd: str


class PositionsResponse(TypedDict):
    data: PositionsData


class Fill(TypedDict):
    """One row of /api/v1/profiler/perp-trades (OpenAPI `PerpTrade`): an order's fills in one tx."""

    action: str  # Open | Add | Reduce | Close | Liquidation
    block_number: int
    closed_pnl: float
    crossed: bool  # taker fill; false: a resting (maker) limit order filled
    fee_token_symbol: str
    fee_usd: float
    oid: int
    price: float
    side: str  # Long | Short: the side of the position
    size: float  # coins, unsigned
    start_position: float  # signed position in coins before this row
    timestamp: str  # ISO 8601 without a zone ("2025-10-08T18:46:11.452000"): UTC
    token_symbol: str
    transaction_hash: str
    user: str
    value_usd: float


class TokenTrade(TypedDict, total=False):
    """/api/v1/tgm/perp-trades: every trader's fills of one coin (no order id, no block number)."""

    trader_address: str
    trader_address_label: str | None
    token_symbol: str
    side: str  # Long | Short: the position's side
    action: str  # Open | Add | Reduce | Close | Liquidation
    token_amount: float
    price_usd: float
    value_usd: float
    type: str  # MARKET | LIMIT
    block_timestamp: str  # ISO 8601 with Z
    transaction_hash: str


class LeaderboardRow(TypedDict, total=False):
    """/api/v1/perp-leaderboard."""

    trader_address: str
    trader_address_label: str | None
    total_pnl: float
    roi: float  # percent
    account_value: float


class TokenLeaderboardRow(TypedDict, total=False):
    """/api/v1/tgm/perp-pnl-leaderboard."""

    trader_address: str
    trader_address_label: str | None
    pnl_usd_total: float
    roi_percent_total: float  # percent
    nof_trades: int
    pnl_usd_unrealised: float


class ScreenerRow(TypedDict, total=False):
    """/api/v1/perp-screener (market view)."""

    token_symbol: str
    mark_price: float
    previous_price_usd: float  # the price at the window's start
    funding: float  # Hyperliquid's hourly funding rate, a ratio
    open_interest: float  # USD
    volume: float
