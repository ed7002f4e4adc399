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
from collections.abc import Callable
from datetime import UTC, datetime

from sandbox import addresses
from sandbox.model import (  # re-exported: the market's public vocabulary
    ACTIONS,
    DEFAULT_START,
    DOC_TRADERS,
    DOC_WHALE_POSITION,
    HL_LABELS,
    HYPERLIQUID,
    JUPITER,
    NIBIRU,
    VENUES,
    Instrument,
    Position,
    TradeEvent,
    Trader,
    TraderStats,
    _instruments,
)

__all__ = [
    "ACTIONS", "DEFAULT_START", "DOC_TRADERS", "DOC_WHALE_POSITION", "HYPERLIQUID", "JUPITER", "NIBIRU",
    "VENUES", "Instrument", "Listener", "Market", "Position", "TradeEvent", "Trader", "TraderStats",
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


_ACTIONS_PER_HOUR = {NIBIRU: 20.0, JUPITER: 40.0, HYPERLIQUID: 40.0}


def _round_price(p: float) -> float:
    if p >= 1000:
        return round(p, 2)
    if p >= 1:
        return round(p, 4)
    return round(p, 6)
