"""Leaderboards over simulated time: rolling windows (24h … 365d) and fixed calendar periods.

`market.stats` gives the ranked base figures (rank by realized PnL); this module adds the derived
metrics PerpsTracker shows (score, risk, drawdown, Sharpe, dominant side and token) from one more
pass over the same events. Results are cached per market state, since a request often needs
several boards and the market only changes when it steps or a trade is injected.
"""

from __future__ import annotations

import bisect
import math
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sandbox.market import JUPITER, Market, TradeEvent, TraderStats
from sandbox.perpstracker.wire import DAY_MS

WINDOW_MS = {"24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS, "365d": 365 * DAY_MS}
TOKENS = {"SOL": "WSOL", "ETH": "WETH", "BTC": "WBTC"}
CLOSING = ("reduce", "close", "liquidation")


@dataclass
class Row:
    """One trader on one board."""

    s: TraderStats
    score: float = 0.0
    risk_score: int = 0
    risk_level: str = "Conservative"
    max_drawdown: float = 0.0
    sharpe: float = 0.0
    avg_collateral: float = 0.0
    dominant_side: str = "long"
    token_volume: dict[str, float] = field(default_factory=dict)
    pnls: list[float] = field(default_factory=list)  # realized PnL of each reduce/close/liquidation

    @property
    def dominant_token(self) -> str:
        sym = max(sorted(self.token_volume), key=lambda k: self.token_volume[k]) if self.token_volume else "SOL"
        return TOKENS[sym]

    @property
    def losses(self) -> int:
        return self.s.closes - self.s.wins


@dataclass
class Board:
    since_ms: int
    until_ms: int
    rows: list[Row]
    by_trader: dict[str, Row]

    def totals(self) -> dict[str, object]:
        """The `stats` block leaderboards carry."""
        n = len(self.rows)
        return {
            "total_traders": n,
            "total_volume": round(sum(r.s.volume for r in self.rows), 2),
            "total_pnl": round(sum(r.s.pnl for r in self.rows), 2),
            "avg_win_rate": round(sum(r.s.win_rate for r in self.rows) / n, 2) if n else 0,
        }


_CACHE: OrderedDict[tuple[int, int, int, int, int], Board] = OrderedDict()


def board(market: Market, since_ms: int, until_ms: int) -> Board:
    """The JUPITER leaderboard over [since, until] (inclusive, as `market.stats`)."""
    key = (id(market), market.now_ms, len(market.events), since_ms, until_ms)
    hit = _CACHE.get(key)
    if hit is not None:
        _CACHE.move_to_end(key)
        return hit
    result = _build(market, since_ms, until_ms)
    _CACHE[key] = result
    while len(_CACHE) > 128:
        _CACHE.popitem(last=False)
    return result


def rolling(market: Market, timeframe: str) -> Board:
    return board(market, market.now_ms - WINDOW_MS[timeframe], market.now_ms)


def trades_between(market: Market, since_ms: int, until_ms: int | None = None) -> Iterator[TradeEvent]:
    """JUPITER position changes (not TP/SL orders) with since <= ts <= until, oldest first."""
    until = market.now_ms if until_ms is None else until_ms
    events = market.events
    for e in events[bisect.bisect_left(events, since_ms, key=lambda e: e.ts_ms):]:
        if e.ts_ms > until:
            break
        if e.venue == JUPITER and e.action not in ("set_tp", "set_sl"):
            yield e


def _build(market: Market, since_ms: int, until_ms: int) -> Board:
    rows = [Row(s) for s in market.stats(JUPITER, since_ms, until_ms)]
    by_trader = {r.s.trader: r for r in rows}
    opens: dict[str, int] = {}
    for e in trades_between(market, since_ms, until_ms):
        row = by_trader[e.trader]
        row.token_volume[e.symbol] = row.token_volume.get(e.symbol, 0.0) + e.size_delta_usd
        if e.action in ("open", "increase"):
            opens[e.trader] = opens.get(e.trader, 0) + 1
        else:
            row.pnls.append(e.realized_pnl_usd)
    n = len(rows)
    for row in rows:
        s = row.s
        row.avg_collateral = round(s.collateral_in / opens[s.trader], 2) if opens.get(s.trader) else 0.0
        row.dominant_side = "long" if s.long_trades * 2 >= s.trades else "short"
        row.max_drawdown = _drawdown(row.pnls)
        row.sharpe = _sharpe(row.pnls)
        percentile = 1.0 if n == 1 else (n - s.rank) / (n - 1)
        row.score = round(min(100.0, 40 * percentile + 0.3 * s.win_rate + 0.3 * max(0.0, min(s.roi, 100.0))), 1)
        exposure = min(1.0, row.max_drawdown / s.collateral_in) if s.collateral_in else 0.0
        row.risk_score = int(min(100, round(1.2 * s.avg_leverage + 15 * s.liquidations + 30 * exposure)))
        row.risk_level = ("Conservative" if row.risk_score <= 33
                          else "Moderate" if row.risk_score <= 66 else "Aggressive")
    return Board(since_ms, until_ms, rows, by_trader)


def _drawdown(pnls: list[float]) -> float:
    """Largest peak-to-trough fall of cumulative realized PnL, in USD (a positive number)."""
    peak = total = worst = 0.0
    for p in pnls:
        total += p
        peak = max(peak, total)
        worst = max(worst, peak - total)
    return round(worst, 2)


def _sharpe(pnls: list[float]) -> float:
    if len(pnls) < 2:
        return 0.0
    mean = sum(pnls) / len(pnls)
    var = sum((p - mean) ** 2 for p in pnls) / (len(pnls) - 1)
    return round(mean / math.sqrt(var) * math.sqrt(len(pnls)), 2) if var > 0 else 0.0


# ---- fixed calendar periods -----------------------------------------------------------------

KINDS = ("daily", "weekly", "monthly")


def _dt(ts_ms: int) -> datetime:
    return datetime.fromtimestamp(ts_ms / 1000, tz=UTC)


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def period_label(kind: str, ts_ms: int) -> str:
    dt = _dt(ts_ms)
    if kind == "daily":
        return dt.strftime("%Y-%m-%d")
    if kind == "weekly":
        year, week, _ = dt.isocalendar()
        return f"{year}-W{week:02d}"
    return dt.strftime("%Y-%m")


def period_bounds(kind: str, label: str) -> tuple[int, int]:
    """[start, end) in ms of a period label; ValueError for a malformed label."""
    if kind == "daily":
        start = datetime.strptime(label, "%Y-%m-%d").replace(tzinfo=UTC)
        return _ms(start), _ms(start + timedelta(days=1))
    if kind == "weekly":
        year, _, week = label.partition("-W")
        if len(year) != 4 or len(week) != 2:
            raise ValueError(label)
        start = datetime.fromisocalendar(int(year), int(week), 1).replace(tzinfo=UTC)
        return _ms(start), _ms(start + timedelta(days=7))
    start = datetime.strptime(label, "%Y-%m").replace(tzinfo=UTC)
    nxt = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return _ms(start), _ms(nxt)


def genesis_ms(market: Market) -> int:
    """Where the simulated history starts (the first recorded price)."""
    return min(i.price_history[0][0] for i in market.venue_instruments(JUPITER) if i.price_history)


def periods(market: Market, kind: str) -> list[str]:
    """Every period from the start of the history to now, newest first (the current one included)."""
    out: list[str] = []
    label = period_label(kind, genesis_ms(market))
    while True:
        out.append(label)
        start, end = period_bounds(kind, label)
        if end > market.now_ms:
            break
        label = period_label(kind, end)
    return out[::-1]


def fixed(market: Market, kind: str, label: str) -> Board:
    start, end = period_bounds(kind, label)
    return board(market, start, end - 1)
