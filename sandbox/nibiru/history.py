"""An incremental index of the NIBIRU venue: trades by (trader, id) and the trade history.

History ids are dense over the whole venue (1, 2, 3, ...) like an indexer's own sequence, not
the simulation's global event number, which also counts Jupiter and Hyperliquid events. One
market event can produce two history items (a limit open is `limit_order_created` then
`order_triggered`) or none (size changes have no documented change type).

The market only ever appends events and positions, so `sync` reads just what is new; a reset
market (a different object) starts the index afresh.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sandbox.market import NIBIRU, Market, Position, TradeEvent
from sandbox.nibiru import render


@dataclass(frozen=True)
class HistoryRow:
    id: int
    change_type: str
    event: TradeEvent


class NibiruIndex:
    def __init__(self) -> None:
        self._market: Market | None = None
        self._clear()

    def _clear(self) -> None:
        self.rows: list[HistoryRow] = []
        self.rows_by_trader: dict[str, list[HistoryRow]] = defaultdict(list)
        self.rows_by_seq: dict[int, list[HistoryRow]] = {}
        self.trades: dict[tuple[str, int], Position] = {}
        self.trades_by_trader: dict[str, list[Position]] = defaultdict(list)
        self._n_positions = 0
        self._n_events = 0

    def sync(self, market: Market) -> None:
        if market is not self._market:
            self._market = market
            self._clear()
        # Positions first: every event refers to a position that already exists.
        for pos in market.positions[self._n_positions:]:
            if pos.venue == NIBIRU:
                self.trades[(pos.trader, pos.index)] = pos
                self.trades_by_trader[pos.trader].append(pos)
        self._n_positions = len(market.positions)
        for ev in market.events[self._n_events:]:
            if ev.venue != NIBIRU:
                continue
            owner = self.trades.get((ev.trader, ev.position_index))
            rows = [
                HistoryRow(len(self.rows) + i + 1, change_type, ev)
                for i, change_type in enumerate(render.change_types(ev, owner.trade_type if owner else "trade"))
            ]
            self.rows.extend(rows)
            self.rows_by_trader[ev.trader].extend(rows)
            self.rows_by_seq[ev.seq] = rows
        self._n_events = len(market.events)

    def trade(self, trader: str, trade_id: int) -> Position | None:
        return self.trades.get((trader, trade_id))
