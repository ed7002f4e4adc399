"""Position lives from fills: Nansen lists fills (per order and tx), Sai's schema wants trades.

Hyperliquid holds at most one position per coin and account (one-way mode). A *life* is that
position from the fill that opens it (start position 0, action `Open`) to the fill that brings it
back to 0 (`Close`, `Liquidation`, or a `Reduce` of the whole position); `Add`/`Reduce` in between
change its size. Fills come from a look-back window, so a life may have begun before the window
(an *orphan*: its first fill in the window starts from a non-zero position).

Pure functions: no I/O, no clock.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from gateway.sources.nansen import wire
from gateway.sources.units import number, utc

OPEN, ADD, REDUCE, CLOSE, LIQUIDATION = "Open", "Add", "Reduce", "Close", "Liquidation"
GROWING = (OPEN, ADD)
SHRINKING = (REDUCE, CLOSE, LIQUIDATION)


@dataclass(frozen=True, eq=False)
class Fill:
    """One row of /profiler/perp-trades, parsed."""

    raw: wire.Fill
    coin: str
    action: str
    at: datetime.datetime
    block: int
    oid: int
    price: float
    size: float  # coins, unsigned
    start: float  # signed coins before the row
    is_long: bool

    @classmethod
    def parse(cls, row: wire.Fill) -> Fill:
        start = number(row["start_position"])
        side = row.get("side")
        is_long = side == "Long" if side in ("Long", "Short") else start > 0
        return cls(raw=row, coin=row["token_symbol"], action=row["action"], at=utc(row["timestamp"]),
                   block=int(row["block_number"]), oid=int(row["oid"]), price=number(row["price"]),
                   size=abs(number(row["size"])), start=start, is_long=is_long)

    @property
    def opens(self) -> bool:
        return self.action == OPEN or (self.action not in SHRINKING and _zero(self.start))

    @property
    def closes(self) -> bool:
        if self.action in (CLOSE, LIQUIDATION):
            return True
        return self.action == REDUCE and _at_least(self.size, abs(self.start))

    @property
    def peak_notional(self) -> float:
        """The larger of the position's USD size before and after this row, at its price."""
        before = abs(self.start)
        if self.opens or self.action == ADD:
            after = before + self.size
        elif self.closes:
            after = 0.0
        else:
            after = max(0.0, before - self.size)
        return max(before, after) * self.price


def _zero(x: float) -> bool:
    return math.isclose(x, 0.0, abs_tol=1e-12)


def _at_least(size: float, position: float) -> bool:
    return size >= position or math.isclose(size, position, rel_tol=1e-9, abs_tol=1e-12)


@dataclass(eq=False)
class Life:
    coin: str
    is_long: bool
    fills: list[Fill] = field(default_factory=list)
    opening: Fill | None = None  # None: opened before the window
    closing: Fill | None = None  # the fill that brought the position back to 0
    ended: bool = False  # closed: by `closing`, or (when None) by fills or a state not seen

    @property
    def key(self) -> str:
        """Hyperliquid's coin with the order id that opened the position.

        Without an opening fill in the window: the order that closed it; an open position is the
        coin alone (one position per coin); a life that ended unseen, its last order.
        """
        if self.opening is not None:
            return f"{self.coin}:{self.opening.oid}"
        if self.closing is not None:
            return f"{self.coin}:{self.closing.oid}"
        if not self.ended:
            return self.coin
        return f"{self.coin}:{self.fills[-1].oid}" if self.fills else self.coin

    @property
    def open_price(self) -> float | None:
        """Size-weighted price of the opening and adding fills (Hyperliquid's entry price rule)."""
        if self.opening is None:
            return None
        grows = [f for f in self.fills if f is self.opening or f.action == ADD]
        size = sum(f.size for f in grows)
        return sum(f.price * f.size for f in grows) / size if size else None

    @property
    def peak_notional(self) -> float | None:
        return max((f.peak_notional for f in self.fills), default=None)

    def sort_key(self) -> tuple[int, datetime.datetime, int, str]:
        """Open order: lives opened before the window first (by their first fill seen), then by coin."""
        if self.opening is not None:
            return (1, self.opening.at, self.opening.oid, self.coin)
        first = self.fills[0] if self.fills else None
        return (0, first.at if first else datetime.datetime.min.replace(tzinfo=datetime.UTC),
                first.oid if first else -1, self.coin)


def fill_order(f: Fill) -> tuple[datetime.datetime, int, int]:
    return (f.at, f.block, f.oid)


def group(fills: list[Fill]) -> list[Life]:
    """Fills (any order) into lives, per coin, in the order they began."""
    current: dict[str, Life] = {}
    lives: list[Life] = []
    for f in sorted(fills, key=fill_order):
        life = current.get(f.coin)
        if f.opens:
            if life is not None:
                life.ended = True  # a new position began: the old one ended by a fill not seen
            life = Life(coin=f.coin, is_long=f.is_long, opening=f)
            current[f.coin] = life
            lives.append(life)
        elif life is None:
            life = Life(coin=f.coin, is_long=f.start > 0 if not _zero(f.start) else f.is_long)
            current[f.coin] = life
            lives.append(life)
        life.fills.append(f)
        if f.closes and f is not life.opening:
            life.closing, life.ended = f, True
            del current[f.coin]
    return lives


def attach(lives: list[Life], positions: list[wire.Position]) -> list[tuple[Life, wire.Position | None]]:
    """Pair each open position with the unfinished life of its coin and side.

    The positions endpoint decides what is open now: a position without such a life opened before
    the window (a new orphan life, keyed by the coin); an unfinished life without a position
    ended in a way the fills do not show yet.
    """
    unfinished = {life.coin: life for life in lives if not life.ended}
    pairs: list[tuple[Life, wire.Position | None]] = []
    for pos in positions:
        size = number(pos["size"])
        if _zero(size):
            continue
        coin, is_long = pos["token_symbol"], size > 0
        life = unfinished.pop(coin, None)
        if life is None or life.is_long != is_long:
            if life is not None:
                life.ended = True  # flipped to the other side by a fill not seen
            life = Life(coin=coin, is_long=is_long)
        pairs.append((life, pos))
    for life in unfinished.values():
        life.ended = True
    pairs.extend((life, None) for life in lives if life.ended)
    return pairs
