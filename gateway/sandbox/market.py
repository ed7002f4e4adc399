"""One seeded, deterministic market simulation behind all three simulated upstreams.

Traders on three venues open, grow, shrink, close and get liquidated; prices follow a seeded
random walk; open interest and borrow/funding rates follow the positions. Every state change is
a `TradeEvent` with a global sequence number, so each simulator renders the same facts in its
own wire format and tests can check one venue against another.

Determinism: everything derives from `random.Random(seed)` and the simulated clock. Two markets
built with the same seed and start time, stepped the same way, produce identical events.
Wall-clock time never enters unless a caller passes it in (`advance_to`).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.sandbox import addresses

NIBIRU, JUPITER, HYPERLIQUID = "NIBIRU", "JUPITER", "HYPERLIQUID"
VENUES = (NIBIRU, JUPITER, HYPERLIQUID)

# Default start of simulated "now" for tests: fixed so that dates in assertions are stable.
DEFAULT_START = datetime(2025, 12, 16, 12, 0, tzinfo=UTC)

ACTIONS = ("open", "increase", "reduce", "close", "liquidation", "set_tp", "set_sl")
# How a closing event came about (Sai distinguishes these; others only see "close").
CLOSE_REASONS = ("user", "tp", "sl")

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


@dataclass
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


Listener = Callable[[TradeEvent], None]


class Market:
    """The simulation. Not thread-safe: drive it from one event loop or one thread."""

    def __init__(
        self,
        seed: int = 7,
        start: datetime = DEFAULT_START,
        warmup_days: float = 8.0,
        warmup_step_s: float = 300.0,
        traders_per_venue: int = 40,
    ) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.now_ms = int((start.timestamp() - warmup_days * 86400) * 1000)
        self.instruments: dict[tuple[str, str], Instrument] = {
            (i.venue, i.symbol): i for i in _instruments()
        }
        self.traders: dict[str, dict[str, Trader]] = {v: {} for v in VENUES}
        self.positions: list[Position] = []
        self.open_positions: dict[str, list[Position]] = {v: [] for v in VENUES}
        self.by_key: dict[str, Position] = {}
        self.events: list[TradeEvent] = []
        self.listeners: list[Listener] = []
        self.step_listeners: list[Callable[[Market], None]] = []
        self._seq = 0
        self._order_id = 191_284_600_000
        self._genesis_ms = self.now_ms
        self._make_traders(traders_per_venue)
        self._seed_doc_whale()
        for inst in self.instruments.values():
            inst.price_history.append((self.now_ms, inst.price))
            self._update_rates(inst)
        steps = int(warmup_days * 86400 / warmup_step_s)
        for _ in range(steps):
            self.step(warmup_step_s)

    # ---- set-up ----------------------------------------------------------------------------

    def _make_traders(self, n: int) -> None:
        rng = self.rng
        gen = {
            NIBIRU: addresses.nibiru_address,
            JUPITER: addresses.solana_address,
            HYPERLIQUID: addresses.evm_address,
        }
        for venue in VENUES:
            known = list(DOC_TRADERS[venue])
            while len(known) < n:
                label = None
                if venue == HYPERLIQUID and rng.random() < 0.3:
                    label = rng.choice(HL_LABELS)
                known.append((gen[venue](rng), label))
            for address, label in known:
                whale = rng.random() < 0.12
                self.traders[venue][address] = Trader(
                    venue=venue,
                    address=address,
                    label=label,
                    balance_usd=round(rng.lognormvariate(10.5, 1.2) * (20 if whale else 1), 2),
                    size_scale=rng.lognormvariate(7.5, 1.1) * (40 if whale else 1),
                    leverage_pref=rng.choice((2, 3, 5, 5, 8, 10, 10, 15, 20, 25, 50)),
                    long_bias=rng.uniform(0.35, 0.8),
                    activity=rng.lognormvariate(0, 0.8),
                )

    def _seed_doc_whale(self) -> None:
        d = DOC_WHALE_POSITION
        inst = self.instruments[(JUPITER, d.symbol)]
        trader = self.traders[JUPITER][d.trader]
        pos = Position(
            venue=JUPITER, trader=trader.address, key=d.key, index=trader.next_index,
            symbol=inst.symbol, market_id=inst.market_id, collateral_id=0, is_long=True,
            size_usd=d.size_usd, collateral_usd=d.collateral_usd, open_collateral_usd=d.collateral_usd,
            entry_price=d.entry_price, open_ts=d.open_ts, open_block=self.block_at(JUPITER, d.open_ts),
            last_updated_ts=d.open_ts, pinned=True,
        )
        trader.next_index += 1
        self._add_position(pos)

    # ---- clock -----------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return datetime.fromtimestamp(self.now_ms / 1000, tz=UTC)

    def block_at(self, venue: str, ts_ms: int) -> int:
        """Block height (Nibiru), slot (Solana) or block number (Hyperliquid) at a time."""
        if venue == NIBIRU:
            return 18_000_000 + (ts_ms - 1_700_000_000_000) // 1500
        if venue == JUPITER:
            return 250_000_000 + (ts_ms - 1_700_000_000_000) // 400
        return 700_000_000 + (ts_ms - 1_700_000_000_000) // 70

    def advance_to(self, ts_ms: int, max_step_s: float = 1.0) -> None:
        """Step until the simulated clock reaches `ts_ms` (used to follow the wall clock)."""
        while self.now_ms < ts_ms:
            self.step(min(max_step_s, (ts_ms - self.now_ms) / 1000))

    def step(self, seconds: float = 1.0) -> list[TradeEvent]:
        """Advance the clock, move prices, let traders act; returns the events it produced."""
        rng = self.rng
        dt_ms = max(1, int(seconds * 1000))
        start_ms = self.now_ms
        first = len(self.events)
        for inst in self.instruments.values():
            sigma = inst.volatility * math.sqrt(seconds / 86400)
            inst.price = _round_price(inst.price * math.exp(rng.gauss(0, sigma) - sigma * sigma / 2))
        # Traders act at moments inside the step; each venue sees ~ its activity rate.
        plans: list[tuple[int, str]] = []
        for venue in VENUES:
            expected = _ACTIONS_PER_HOUR[venue] * seconds / 3600
            n = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for _ in range(n):
                plans.append((start_ms + rng.randrange(dt_ms), venue))
        plans.sort()
        for ts, venue in plans:
            self.now_ms = ts
            self._random_action(venue)
        self.now_ms = start_ms + dt_ms
        self._check_triggers()
        for inst in self.instruments.values():
            inst.price_history.append((self.now_ms, inst.price))
            self._update_rates(inst)
        for listener in list(self.step_listeners):
            listener(self)
        return self.events[first:]

    # ---- derived state ---------------------------------------------------------------------

    def instrument(self, venue: str, symbol: str) -> Instrument:
        return self.instruments[(venue, symbol)]

    def venue_instruments(self, venue: str) -> list[Instrument]:
        return [i for (v, _), i in self.instruments.items() if v == venue]

    def open_interest(self, venue: str, symbol: str) -> tuple[float, float]:
        """(long, short) open interest in USD."""
        long = short = 0.0
        for p in self.open_positions[venue]:
            if p.symbol == symbol:
                if p.is_long:
                    long += p.size_usd
                else:
                    short += p.size_usd
        return round(long, 2), round(short, 2)

    def trader_positions(self, venue: str, trader: str, *, open_only: bool = False) -> list[Position]:
        return [
            p for p in self.positions
            if p.venue == venue and p.trader == trader and (p.is_open or not open_only)
        ]

    def trader_events(self, venue: str, trader: str | None = None) -> list[TradeEvent]:
        return [e for e in self.events if e.venue == venue and (trader is None or e.trader == trader)]

    def account_value(self, venue: str, trader: str) -> float:
        t = self.traders[venue][trader]
        upnl = sum(
            p.unrealized_pnl(self.instrument(venue, p.symbol).price)
            for p in self.open_positions[venue] if p.trader == trader
        )
        return round(t.balance_usd + upnl, 2)

    def stats(
        self, venue: str, since_ms: int, until_ms: int | None = None, symbol: str | None = None
    ) -> list[TraderStats]:
        """Per-trader figures over [since, until], ranked by realized PnL (rank 1 is best)."""
        until = self.now_ms if until_ms is None else until_ms
        table: dict[str, TraderStats] = {}
        for e in self.events:
            if e.venue != venue or not since_ms <= e.ts_ms <= until:
                continue
            if symbol is not None and e.symbol != symbol:
                continue
            if e.action in ("set_tp", "set_sl"):
                continue
            s = table.get(e.trader)
            if s is None:
                s = table[e.trader] = TraderStats(venue, e.trader, self.traders[venue][e.trader].label)
            s.trades += 1
            s.volume += e.size_delta_usd
            s.fees += e.fee_usd
            s.leverage_sum += e.leverage
            s.long_trades += 1 if e.is_long else 0
            if e.action in ("open", "increase"):
                s.collateral_in += e.collateral_delta_usd
            if e.action in ("reduce", "close", "liquidation"):
                s.pnl += e.realized_pnl_usd
                if e.is_long:
                    s.long_pnl += e.realized_pnl_usd
                else:
                    s.short_pnl += e.realized_pnl_usd
                if e.action != "reduce":
                    s.closes += 1
                    s.wins += 1 if e.realized_pnl_usd > 0 else 0
                if e.action == "liquidation":
                    s.liquidations += 1
        ranked = sorted(table.values(), key=lambda s: (-s.pnl, s.trader))
        for i, s in enumerate(ranked, 1):
            s.rank = i
            s.pnl, s.volume = round(s.pnl, 2), round(s.volume, 2)
            s.long_pnl, s.short_pnl = round(s.long_pnl, 2), round(s.short_pnl, 2)
            s.fees = round(s.fees, 2)
        return ranked

    # ---- actions ---------------------------------------------------------------------------

    def inject(
        self,
        venue: str,
        trader: str,
        symbol: str,
        action: str,
        *,
        is_long: bool = True,
        size_usd: float | None = None,
        collateral_usd: float | None = None,
        price: float | None = None,
        position_key: str | None = None,
        reason: str = "user",
    ) -> list[TradeEvent]:
        """Apply a specific trade through the same code path as simulated ones.

        Unknown traders are created. `open` on Jupiter/Hyperliquid where the trader already
        holds that market and side becomes an `increase`, as on those venues. Raises ValueError
        for impossible requests (no such market, no open position to change).
        """
        if venue not in VENUES:
            raise ValueError(f"unknown venue {venue!r}")
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        if (venue, symbol) not in self.instruments:
            raise ValueError(f"no market {symbol!r} on {venue}")
        inst = self.instruments[(venue, symbol)]
        if price is not None:
            inst.price = float(price)
        t = self.traders[venue].get(trader)
        if t is None:
            t = self.traders[venue][trader] = Trader(venue, trader, None, 100_000.0, 5000.0, 5, 0.5, 0)
        first = len(self.events)
        if action == "open":
            existing = self._find_open(venue, trader, symbol, is_long if venue == JUPITER else None)
            if existing is not None and venue != NIBIRU:
                self._increase(existing, size_usd or existing.size_usd / 2, collateral_usd)
            else:
                col = collateral_usd if collateral_usd is not None else (size_usd or 5000.0) / 5
                size = size_usd if size_usd is not None else col * 5
                self._open(t, inst, is_long, round(size, 2), round(col, 2))
        else:
            pos = self.by_key.get(position_key) if position_key else None
            if pos is None:
                pos = self._find_open(venue, trader, symbol, None)
            if pos is None or not pos.is_open:
                raise ValueError(f"{trader} has no open {symbol} position on {venue}")
            if action == "increase":
                self._increase(pos, size_usd or pos.size_usd / 2, collateral_usd)
            elif action == "reduce":
                self._reduce(pos, size_usd or pos.size_usd / 2)
            elif action == "close":
                self._close(pos, reason)
            elif action == "liquidation":
                self._liquidate(pos)
            elif action == "set_tp":
                self._set_trigger(pos, "tp", price)
            elif action == "set_sl":
                self._set_trigger(pos, "sl", price)
        self._check_triggers()
        return self.events[first:]

    def _find_open(self, venue: str, trader: str, symbol: str, is_long: bool | None) -> Position | None:
        for p in reversed(self.open_positions[venue]):
            if p.trader == trader and p.symbol == symbol and (is_long is None or p.is_long == is_long):
                return p
        return None

    def _random_action(self, venue: str) -> None:
        rng = self.rng
        traders = list(self.traders[venue].values())
        t = rng.choices(traders, weights=[x.activity for x in traders])[0]
        mine = [p for p in self.open_positions[venue] if p.trader == t.address and not p.pinned]
        roll = rng.random()
        if not mine or (roll < 0.35 and len(mine) < 4):
            inst = rng.choice([i for i in self.venue_instruments(venue) if i.visible])
            is_long = rng.random() < t.long_bias
            existing = self._find_open(venue, t.address, inst.symbol, is_long if venue == JUPITER else None)
            collateral = round(t.size_scale * rng.uniform(0.3, 1.7), 2)
            leverage = max(inst.min_leverage, min(inst.max_leverage, t.leverage_pref * rng.uniform(0.6, 1.4)))
            size = round(collateral * leverage, 2)
            if existing is not None and venue != NIBIRU:
                if not existing.pinned:
                    self._increase(existing, size, collateral)
                return
            self._open(t, inst, is_long, size, collateral)
            return
        pos = rng.choice(mine)
        if venue == NIBIRU:
            if roll < 0.55:
                self._close(pos, "user")
            elif roll < 0.8:
                self._set_trigger(pos, "tp" if rng.random() < 0.5 else "sl", None)
            else:
                self._close(pos, "user")
        else:
            if roll < 0.5:
                self._increase(pos, round(pos.size_usd * rng.uniform(0.1, 0.6), 2), None)
            elif roll < 0.7:
                self._reduce(pos, round(pos.size_usd * rng.uniform(0.2, 0.7), 2))
            elif roll < 0.78 and venue == JUPITER:
                self._set_trigger(pos, "tp" if rng.random() < 0.5 else "sl", None)
            else:
                self._close(pos, "user")

    def _tx(self, venue: str) -> tuple[str, str]:
        rng = self.rng
        if venue == JUPITER:
            return addresses.solana_signature(rng), ""
        if venue == HYPERLIQUID:
            return addresses.evm_tx_hash(rng), ""
        return addresses.cosmos_tx_hash(rng), addresses.evm_tx_hash(rng)

    def _emit(
        self, pos: Position, action: str, *, size_delta: float, collateral_delta: float,
        price: float, pnl: float = 0.0, fee: float = 0.0, reason: str = "",
        start_tokens: float = 0.0, order_type: str | None = None,
    ) -> TradeEvent:
        self._seq += 1
        self._order_id += 1 + self.rng.randrange(50)
        tx, evm = self._tx(pos.venue)
        if order_type is None:
            order_type = "Limit" if self.rng.random() < 0.25 else "Market"
        ev = TradeEvent(
            seq=self._seq, venue=pos.venue, trader=pos.trader, position_key=pos.key,
            position_index=pos.index, symbol=pos.symbol, market_id=pos.market_id,
            collateral_id=pos.collateral_id, action=action, reason=reason, is_long=pos.is_long,
            size_delta_usd=round(size_delta, 2), collateral_delta_usd=round(collateral_delta, 2),
            size_after_usd=round(pos.size_usd, 2), collateral_after_usd=round(pos.collateral_usd, 2),
            leverage=pos.leverage, price=price, entry_price=pos.entry_price,
            realized_pnl_usd=round(pnl, 2), fee_usd=round(fee, 2), ts_ms=self.now_ms,
            block=self.block_at(pos.venue, self.now_ms), tx=tx, evm_tx=evm,
            order_type=order_type, order_id=self._order_id, start_position_tokens=start_tokens,
        )
        self.events.append(ev)
        for listener in list(self.listeners):
            listener(ev)
        return ev

    def _add_position(self, pos: Position) -> None:
        self.positions.append(pos)
        self.open_positions[pos.venue].append(pos)
        self.by_key[pos.key] = pos

    def _signed_tokens(self, pos: Position) -> float:
        if not pos.is_open:
            return 0.0
        return round(pos.size_tokens * (1 if pos.is_long else -1), 6)

    def _open(self, t: Trader, inst: Instrument, is_long: bool, size: float, collateral: float) -> None:
        idx = t.next_index
        t.next_index += 1
        if inst.venue == NIBIRU:
            key = str(idx)
            trade_type = self.rng.choices(("trade", "limit", "stop"), (0.8, 0.15, 0.05))[0]
            collateral_id = 1 if self.rng.random() < 0.8 else 2
        elif inst.venue == JUPITER:
            key = addresses.solana_address(self.rng)
            trade_type, collateral_id = "trade", 0
        else:
            key = f"{inst.symbol}:{self._seq + 1}"
            trade_type, collateral_id = "trade", 0
        pos = Position(
            venue=inst.venue, trader=t.address, key=key, index=idx, symbol=inst.symbol,
            market_id=inst.market_id, collateral_id=collateral_id, is_long=is_long,
            size_usd=size, collateral_usd=collateral, open_collateral_usd=collateral,
            entry_price=inst.price, open_ts=self.now_ms,
            open_block=self.block_at(inst.venue, self.now_ms), last_updated_ts=self.now_ms,
            trade_type=trade_type,
        )
        fee = size * inst.open_fee_pct
        pos.fees_usd += fee
        t.balance_usd = round(t.balance_usd - fee, 2)
        self._add_position(pos)
        self._emit(pos, "open", size_delta=size, collateral_delta=collateral, price=inst.price, fee=fee,
                   order_type="Limit" if trade_type == "limit" else None)

    def _increase(self, pos: Position, size: float, collateral: float | None) -> None:
        inst = self.instrument(pos.venue, pos.symbol)
        start = self._signed_tokens(pos)
        col = collateral if collateral is not None else size / max(pos.leverage, 1.0)
        new_size = pos.size_usd + size
        # entry price becomes the size-weighted average, as on Jupiter and Hyperliquid
        pos.entry_price = _round_price(
            new_size / (pos.size_usd / pos.entry_price + size / inst.price)
        )
        pos.size_usd = round(new_size, 2)
        pos.collateral_usd = round(pos.collateral_usd + col, 2)
        pos.last_updated_ts = self.now_ms
        fee = size * inst.open_fee_pct
        pos.fees_usd += fee
        self.traders[pos.venue][pos.trader].balance_usd -= fee
        self._emit(pos, "increase", size_delta=size, collateral_delta=col, price=inst.price, fee=fee,
                   start_tokens=start)

    def _reduce(self, pos: Position, size: float) -> None:
        if size >= pos.size_usd * 0.999:
            self._close(pos, "user")
            return
        inst = self.instrument(pos.venue, pos.symbol)
        start = self._signed_tokens(pos)
        frac = size / pos.size_usd
        pnl = pos.unrealized_pnl(inst.price) * frac
        col = pos.collateral_usd * frac
        pos.size_usd = round(pos.size_usd - size, 2)
        pos.collateral_usd = round(pos.collateral_usd - col, 2)
        pos.realized_pnl_usd += pnl
        pos.last_updated_ts = self.now_ms
        fee = size * inst.close_fee_pct
        pos.fees_usd += fee
        t = self.traders[pos.venue][pos.trader]
        t.balance_usd = round(t.balance_usd + pnl - fee, 2)
        self._emit(pos, "reduce", size_delta=size, collateral_delta=col, price=inst.price, pnl=pnl,
                   fee=fee, start_tokens=start)

    def _finish(self, pos: Position, action: str, reason: str, price: float, pnl: float, fee: float) -> None:
        start = self._signed_tokens(pos)
        size, col = pos.size_usd, pos.collateral_usd
        pos.is_open = False
        pos.close_ts = self.now_ms
        pos.close_block = self.block_at(pos.venue, self.now_ms)
        pos.close_price = price
        pos.realized_pnl_usd += pnl
        pos.fees_usd += fee
        pos.last_updated_ts = self.now_ms
        pos.liquidated = action == "liquidation"
        self.open_positions[pos.venue].remove(pos)
        t = self.traders[pos.venue][pos.trader]
        t.balance_usd = round(t.balance_usd + pnl - fee, 2)
        self._emit(pos, action, size_delta=size, collateral_delta=col, price=price, pnl=pnl, fee=fee,
                   reason=reason, start_tokens=start,
                   order_type="Market" if action == "liquidation" or reason == "user" else "Limit")

    def _close(self, pos: Position, reason: str) -> None:
        inst = self.instrument(pos.venue, pos.symbol)
        price = inst.price
        pnl = pos.unrealized_pnl(price)
        fee = pos.size_usd * (inst.close_fee_pct + (inst.trigger_fee_pct if reason != "user" else 0))
        self._finish(pos, "close", reason, price, pnl, fee)

    def _liquidate(self, pos: Position) -> None:
        price = self.instrument(pos.venue, pos.symbol).price
        pnl = -pos.collateral_usd  # collateral lost
        fee = pos.size_usd * 0.001
        self._finish(pos, "liquidation", "", price, pnl, fee)

    def _set_trigger(self, pos: Position, kind: str, price: float | None) -> None:
        inst = self.instrument(pos.venue, pos.symbol)
        if price is None:
            up = 1 + self.rng.uniform(0.02, 0.15)
            down = 1 - self.rng.uniform(0.02, 0.1)
            if kind == "tp":
                price = inst.price * (up if pos.is_long else down)
            else:
                price = inst.price * (down if pos.is_long else up)
        price = _round_price(price)
        setattr(pos, kind, price)
        pos.last_updated_ts = self.now_ms
        self._emit(pos, "set_" + kind, size_delta=0.0, collateral_delta=0.0, price=inst.price,
                   start_tokens=self._signed_tokens(pos), order_type="Limit")

    def _check_triggers(self) -> None:
        for venue in VENUES:
            for pos in list(self.open_positions[venue]):
                if pos.pinned:
                    continue
                price = self.instrument(venue, pos.symbol).price
                liq = pos.liquidation_price()
                if (pos.is_long and price <= liq) or (not pos.is_long and price >= liq):
                    self._liquidate(pos)
                elif pos.tp is not None and (price >= pos.tp if pos.is_long else price <= pos.tp):
                    self._close(pos, "tp")
                elif pos.sl is not None and (price <= pos.sl if pos.is_long else price >= pos.sl):
                    self._close(pos, "sl")

    def _update_rates(self, inst: Instrument) -> None:
        long, short = self.open_interest(inst.venue, inst.symbol)
        util_l = long / inst.oi_max_usd
        util_s = short / inst.oi_max_usd
        inst.borrow_long_per_hour = round(0.00001 + 0.0001 * util_l, 10)
        inst.borrow_short_per_hour = round(0.00001 + 0.0001 * util_s, 10)
        skew = (long - short) / max(long + short, 1.0)
        inst.funding_rate = round(0.0000125 + 0.0001 * skew, 10)

    # ---- listeners -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every future event; returns the unsubscribe function."""
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def events_since(self, ts_ms: int, venue: str | None = None) -> Iterable[TradeEvent]:
        return (e for e in self.events if e.ts_ms >= ts_ms and (venue is None or e.venue == venue))


_ACTIONS_PER_HOUR = {NIBIRU: 20.0, JUPITER: 40.0, HYPERLIQUID: 40.0}


def _round_price(p: float) -> float:
    if p >= 1000:
        return round(p, 2)
    if p >= 1:
        return round(p, 4)
    return round(p, 6)
