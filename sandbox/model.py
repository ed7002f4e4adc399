"""The market simulation's data: venues, instruments, positions, events, derived stats.

Plain dataclasses and constants; the behaviour is in `market.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

NIBIRU, JUPITER, HYPERLIQUID = "NIBIRU", "JUPITER", "HYPERLIQUID"
VENUES = (NIBIRU, JUPITER, HYPERLIQUID)

# Default start of simulated "now" for tests: fixed so that dates in assertions are stable.
DEFAULT_START = datetime(2025, 12, 16, 12, 0, tzinfo=UTC)

ACTIONS = ("open", "increase", "reduce", "close", "liquidation", "set_tp", "set_sl")

LIQUIDATION_LOSS = 0.9  # a position is liquidated when losses reach 90% of its collateral


@dataclass
class Instrument:
    """One perpetual market on one venue."""

    venue: str
    symbol: str  # base symbol, e.g. "SOL"
    market_id: int
    price: float
    volatility: float  # daily, as a fraction
    max_leverage: float
    min_leverage: float
    open_fee_pct: float  # ratios: 0.0006 is 0.06%
    close_fee_pct: float
    trigger_fee_pct: float
    oi_max_usd: float
    min_position_usd: int
    visible: bool = True
    token: str = ""  # upstream token name (Jupiter: WSOL), defaults to symbol
    mint: str = ""  # Solana mint (Jupiter only)
    name: str = ""
    funding_rate: float = 0.0  # per hour, Hyperliquid
    borrow_long_per_hour: float = 0.0  # ratio per hour
    borrow_short_per_hour: float = 0.0
    price_history: list[tuple[int, float]] = field(default_factory=list)

    def price_at(self, ts_ms: int) -> float:
        """The last price at or before `ts_ms` (the first known price before history starts)."""
        hist = self.price_history
        if not hist or ts_ms >= hist[-1][0]:
            return self.price
        lo, hi = 0, len(hist) - 1
        if ts_ms < hist[0][0]:
            return hist[0][1]
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if hist[mid][0] <= ts_ms:
                lo = mid
            else:
                hi = mid - 1
        return hist[lo][1]


# eq=False: a position is an entity (unique key), compared by identity; removing it from the open
# list must remove this object, and must not compare every field of every open position.
@dataclass(eq=False)
class Position:
    """A position's life: open to close. `index` is the per-trader integer id (Sai's trade id)."""

    venue: str
    trader: str
    key: str  # venue's own key: Sai index as text, Jupiter position pubkey, HL "coin:open-seq"
    index: int
    symbol: str
    market_id: int
    collateral_id: int
    is_long: bool
    size_usd: float
    collateral_usd: float
    open_collateral_usd: float
    entry_price: float
    open_ts: int  # ms
    open_block: int
    last_updated_ts: int
    trade_type: str = "trade"  # Sai: trade | limit | stop
    tp: float | None = None
    sl: float | None = None
    is_open: bool = True
    close_ts: int | None = None
    close_block: int | None = None
    close_price: float | None = None
    realized_pnl_usd: float = 0.0
    fees_usd: float = 0.0
    borrow_fee_usd: float = 0.0
    liquidated: bool = False
    pinned: bool = False  # never touched by the random process (documentation examples)

    @property
    def leverage(self) -> float:
        return round(self.size_usd / self.collateral_usd, 2) if self.collateral_usd else 0.0

    @property
    def size_tokens(self) -> float:
        return self.size_usd / self.entry_price

    def unrealized_pnl(self, price: float) -> float:
        move = (price - self.entry_price) / self.entry_price
        return round(self.size_usd * move * (1 if self.is_long else -1), 2)

    def liquidation_price(self) -> float:
        frac = LIQUIDATION_LOSS * self.collateral_usd / self.size_usd
        return round(self.entry_price * (1 - frac if self.is_long else 1 + frac), 4)


@dataclass(frozen=True)
class TradeEvent:
    """One change to one position, as every venue would report it."""

    seq: int
    venue: str
    trader: str
    position_key: str
    position_index: int
    symbol: str
    market_id: int
    collateral_id: int
    action: str  # one of ACTIONS
    reason: str  # for close: user | tp | sl; else ""
    is_long: bool
    size_delta_usd: float
    collateral_delta_usd: float
    size_after_usd: float
    collateral_after_usd: float
    leverage: float
    price: float
    entry_price: float
    realized_pnl_usd: float
    fee_usd: float
    ts_ms: int
    block: int
    tx: str  # venue-native: Solana signature, HL 0x hash, Cosmos hex hash
    evm_tx: str  # Nibiru's EVM hash of the same tx; "" elsewhere
    order_type: str  # Market | Limit
    order_id: int
    start_position_tokens: float  # signed size in tokens before this event (HL fills)


@dataclass
class TraderStats:
    """Derived per-trader figures over a time window, the raw material of every leaderboard."""

    venue: str
    trader: str
    label: str | None
    pnl: float = 0.0
    volume: float = 0.0
    trades: int = 0
    closes: int = 0
    wins: int = 0
    liquidations: int = 0
    long_pnl: float = 0.0
    short_pnl: float = 0.0
    collateral_in: float = 0.0
    leverage_sum: float = 0.0
    long_trades: int = 0
    fees: float = 0.0
    rank: int = 0

    @property
    def win_rate(self) -> float:
        """Percent, as PerpsTracker reports it."""
        return round(100.0 * self.wins / self.closes, 2) if self.closes else 0.0

    @property
    def roi(self) -> float:
        """Percent of collateral put in during the window."""
        return round(100.0 * self.pnl / self.collateral_in, 2) if self.collateral_in else 0.0

    @property
    def avg_leverage(self) -> float:
        return round(self.leverage_sum / self.trades, 2) if self.trades else 0.0


@dataclass
class Trader:
    venue: str
    address: str
    label: str | None
    balance_usd: float  # equity excluding unrealized PnL (HL account value basis)
    size_scale: float  # typical collateral in USD
    leverage_pref: float
    long_bias: float  # probability of going long
    activity: float  # relative weight of being picked to act
    next_index: int = 0


# Documentation example addresses, so the docs' own example requests find data.
DOC_TRADERS = {
    JUPITER: [
        ("DRVRvzf8pSiMJi5BY1NmZu5STahBYKMVcfkPp3vxPump", "WHALE1"),
        ("J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK", None),
        ("AePSAg93xDsQqY8Fnv5KzMpR7tNwLhG4vJkDctyYMZ8n", None),
        ("7qjAjzZcP7ckTg8CQ6QBGWTvEVrW8KxPfvTkgnCkY3nm", None),
        ("HtXuYvqtALGkJjrHPqz8VPRPcmkdJ9fV7sJpRPiT2D4m", None),
        ("46XavcvseUFgENwWTct2ztncdayNNx7YBJ8rNWZpC8qM", None),
        ("E4DsbKzJn8XvTm3P7cNwQh5LfRgY2HjVpWkd6sZxBmyk", None),
    ],
    HYPERLIQUID: [
        ("0xa312114b5795dff9b8db50474dd57701aa78ad1e", None),
        ("0x45d26f28196d226497130c4bac709d808fed4029", None),
        ("0x28c6c06298d514db089934071355e5743bf21d60", "Binance 14 [0x28c6c0]"),
    ],
    NIBIRU: [],
}

# The PerpsTracker docs' $2,377,788.35-collateral SOL long, kept open and untouched.
@dataclass(frozen=True)
class DocPosition:
    trader: str
    key: str
    symbol: str
    size_usd: float
    collateral_usd: float
    entry_price: float
    open_ts: int


DOC_WHALE_POSITION = DocPosition(
    trader="J83ZtxeoHLwMNvjVrsD4gQw5nE8PKXUV9Ph6tW2dVamK",
    key="BD5tKkWiJxT8gH4KwPvRM5nL2sYbVcXdKpQhzkqdryTnF",
    symbol="SOL",
    size_usd=4304456.77,
    collateral_usd=2377788.35,
    entry_price=232.42,
    open_ts=1759772482000,
)

HL_LABELS = ("Smart Money", "Fund", "Smart HL Perps Trader", "Whale", "Public Figure")


def _instruments() -> list[Instrument]:
    def inst(venue: str, symbol: str, mid: int, price: float, vol: float, **kw: Any) -> Instrument:
        base: dict[str, Any] = dict(
            max_leverage=100.0, min_leverage=1.1, open_fee_pct=0.0006, close_fee_pct=0.0006,
            trigger_fee_pct=0.0002, oi_max_usd=50_000_000.0, min_position_usd=10,
        )
        base.update(kw)
        return Instrument(venue, symbol, mid, price, vol, **base)

    return [
        inst(NIBIRU, "BTC", 1, 97234.5, 0.03, name="Bitcoin", oi_max_usd=80_000_000.0),
        inst(NIBIRU, "ETH", 2, 3245.67, 0.04, name="Ethereum"),
        inst(NIBIRU, "SOL", 3, 187.45, 0.05, name="Solana", max_leverage=50.0),
        inst(NIBIRU, "ATOM", 4, 9.12, 0.06, name="Cosmos Hub", max_leverage=25.0,
             oi_max_usd=5_000_000.0),
        inst(NIBIRU, "NIBI", 5, 0.0235, 0.08, name="Nibiru", max_leverage=10.0,
             oi_max_usd=1_000_000.0),
        inst(NIBIRU, "TIA", 6, 5.4, 0.07, name="Celestia", visible=False, max_leverage=20.0),
        inst(JUPITER, "SOL", 1, 187.45, 0.05, token="WSOL", max_leverage=250.0,
             mint="So11111111111111111111111111111111111111112", oi_max_usd=500_000_000.0),
        inst(JUPITER, "ETH", 2, 3245.67, 0.04, token="WETH", max_leverage=200.0,
             mint="7vfCXTUXx5WJV5JADk17DUJ4ksgau7utNKj4b963voxs", oi_max_usd=200_000_000.0),
        inst(JUPITER, "BTC", 3, 97234.5, 0.03, token="WBTC", max_leverage=200.0,
             mint="3NZ9JMVBmGAqocybic2c7LQCJScmgsAZ6vQqTDzcqmJh", oi_max_usd=300_000_000.0),
        inst(HYPERLIQUID, "BTC", 0, 97234.5, 0.03, max_leverage=40.0, oi_max_usd=2e9),
        inst(HYPERLIQUID, "ETH", 1, 3245.67, 0.04, max_leverage=25.0, oi_max_usd=1e9),
        inst(HYPERLIQUID, "SOL", 5, 187.45, 0.05, max_leverage=20.0, oi_max_usd=5e8),
        inst(HYPERLIQUID, "HYPE", 159, 24.8, 0.07, max_leverage=10.0, oi_max_usd=3e8),
        inst(HYPERLIQUID, "DOGE", 12, 0.25884, 0.06, max_leverage=20.0, oi_max_usd=2e8),
    ]
