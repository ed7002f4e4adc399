"""The PerpsTracker payloads the JUPITER source reads, as documented (perpstracker-api.txt).

Only the fields the mapping reads are listed. Numbers may arrive as JSON numbers or as strings
(`"guaranteedUsd": "125000000"`, `"pnl_delta": "37092254"`), so they are typed `Num` and parsed
by `mapping.num`; times are Unix seconds unless a field says otherwise.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

Num = float | int | str


class PricesResponse(TypedDict, total=False):
    """GET /prices: USD price per market symbol, plus `timestamp` (ms)."""

    SOL: Num
    ETH: Num
    BTC: Num
    timestamp: int


class PositionRow(TypedDict):
    """GET /perpetuals/trader/{wallet}/positions `positions[]`."""

    position_key: str
    market: str
    side: str  # long | short (any casing)
    size_usd: Num
    collateral_usd: Num
    leverage: NotRequired[Num | None]
    entry_price: NotRequired[Num | None]
    liquidation_price: NotRequired[Num | None]
    unrealized_pnl: NotRequired[Num | None]
    open_time: NotRequired[int | None]  # Unix seconds
    last_updated: NotRequired[int | None]
    take_profit: NotRequired[Num | None]  # only the Trading API's positions carry these
    stop_loss: NotRequired[Num | None]


class PositionsResponse(TypedDict):
    positions: list[PositionRow]
    wallet: NotRequired[str]
    count: NotRequired[int]


class HistoryRow(TypedDict):
    """GET /perpetuals/trader/{wallet}/history `trades[]`: one action on one position."""

    market: NotRequired[str]
    positionName: NotRequired[str]  # "BTC-PERP"
    positionPubkey: str
    side: str  # LONG | SHORT
    action: str  # Open | Increase | Decrease | Close
    tradeType: NotRequired[str]
    orderType: NotRequired[str | None]  # Market | Limit | (take-profit / stop-loss kinds)
    size: NotRequired[Num | None]  # USD size of this action
    price: NotRequired[Num | None]
    collateralDelta: NotRequired[Num | None]  # USD
    leverage: NotRequired[Num | None]  # null on closing actions
    entirePosition: NotRequired[bool | None]
    pnl: NotRequired[Num | None]  # USD
    pnlPercent: NotRequired[Num | None]  # percent of collateral
    fee: NotRequired[Num | None]  # USD: base + borrow + liquidation fees
    baseFee: NotRequired[Num | None]
    borrowFee: NotRequired[Num | None]
    liquidationFee: NotRequired[Num | None]
    txHash: str
    createdTime: int  # Unix seconds
    createdAt: NotRequired[str]


class HistoryResponse(TypedDict):
    trades: list[HistoryRow]
    count: NotRequired[int]
    totalCount: NotRequired[int]
    hasMore: NotRequired[bool]


class LiveTradeRow(TypedDict):
    """GET /perpetuals/live-trades `trades[]`: any tracked trader's recent trade."""

    wallet_address: str
    signature: str
    timestamp: str  # ISO 8601, e.g. 2025-12-16T05:08:02.466Z
    instruction_type: NotRequired[str]
    trade_classification: str  # OPEN | INCREASE | REDUCE | CLOSE | SET_TP | SET_SL
    position_pubkey: str
    token: str  # WSOL | WETH | WBTC
    side: NotRequired[str]  # "1" long, "2" short
    is_long: NotRequired[int | bool]
    size: NotRequired[Num | None]
    collateral_usd: NotRequired[Num | None]
    leverage: NotRequired[Num | None]
    collected_fee: NotRequired[Num | None]  # micro-USDC, as a string
    pnl_delta: NotRequired[Num | None]  # micro-USDC, as a string
    entry_exit_price: NotRequired[Num | None]
    entire_position: NotRequired[bool | None]


class LiveTradesResponse(TypedDict):
    trades: list[LiveTradeRow]
    count: NotRequired[int]


class LeaderboardRow(TypedDict):
    """GET /perpetuals/leaderboard/{timeframe} `data[]`."""

    wallet_address: str
    rank: int
    total_pnl: NotRequired[Num | None]
    total_volume: NotRequired[Num | None]
    total_trades: NotRequired[int | None]
    win_rate: NotRequired[Num | None]  # percent
    roi: NotRequired[Num | None]  # percent
    score: NotRequired[Num | None]
    avg_leverage: NotRequired[Num | None]
    total_liquidations: NotRequired[int | None]
    open_position_count: NotRequired[int | None]
    open_unrealized_pnl: NotRequired[Num | None]


class LeaderboardResponse(TypedDict):
    data: list[LeaderboardRow]
    timeframe: NotRequired[str]
    count: NotRequired[int]


class FixedLeaderboardRow(TypedDict):
    """GET /perpetuals/leaderboard/fixed/{periodType} `data[]` (the trader is `owner` here)."""

    rank: int
    owner: str
    pnl: NotRequired[Num | None]
    volume: NotRequired[Num | None]
    win_rate: NotRequired[Num | None]
    score: NotRequired[Num | None]
    avg_leverage: NotRequired[Num | None]


class FixedLeaderboardResponse(TypedDict):
    data: list[FixedLeaderboardRow]
    periodType: NotRequired[str]
    periodValue: NotRequired[str]


class Custody(TypedDict):
    """Trading API "Get Markets List" `custodies[]`; the OI fields are absent for some custodies."""

    symbol: str
    maxLeverage: NotRequired[Num | None]
    guaranteedUsd: NotRequired[Num | None]  # USD, as a string
    globalShortSizes: NotRequired[Num | None]  # USD, as a string


class MarketsResponse(TypedDict):
    custodies: list[Custody]
    success: NotRequired[bool]


class CompareRow(TypedDict):
    """GET /perpetuals/compare `comparison[]`: one requested wallet's figures for the timeframe."""

    wallet: str
    rank: NotRequired[int | None]  # null: not on the timeframe's leaderboard
    total_pnl: NotRequired[Num | None]  # USD
    win_rate: NotRequired[Num | None]  # percent
    roi: NotRequired[Num | None]  # percent
    total_trades: NotRequired[int | None]


class CompareResponse(TypedDict):
    comparison: list[CompareRow]
    timeframe: str
