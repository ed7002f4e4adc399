"""Query resolvers: filtering, ordering and paging over the NIBIRU venue of the market.

Paging as the keeper's SQL does it: `limit` defaults to 100 and is silently clamped to 100 (Sai-PnL
reports "batch size 100 (API hard limit)": asking for 1000 returned 100 rows, so its offset stepping
skipped rows), `offset` defaults to 0; negative values are resolver errors (HTTP 200, `errors` with
a path, `data` null up to the nearest nullable parent), as Postgres' "LIMIT must not be negative"
would surface.

The live server's two known faults are reproduced (evidence §2, §3.17): `perp.trade` for an unknown
index raises "perp trade not found" instead of answering null, and a `perpMarketId` filter on
`perp.trades` fails in SQL (a non-existent column `pt.market_id`, SQLSTATE 42703); `trades` is
non-null under a non-null `perp`, so the whole answer's `data` is null.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphql import GraphQLError, GraphQLResolveInfo

from sandbox.market import NIBIRU, Instrument, Market, Position
from sandbox.nibiru import render
from sandbox.nibiru.history import HistoryRow, NibiruIndex
from sandbox.state import SandboxState

T = TypeVar("T")
Wire = render.Wire

DEFAULT_LIMIT = 100
MAX_LIMIT = 100  # the page cap: a larger limit is clamped, not refused
TRADE_NOT_FOUND = "perp trade not found"
MARKET_FILTER_FAULT = 'ERROR: column pt.market_id does not exist (SQLSTATE 42703)'


@dataclass
class SaiEnv:
    """What resolvers see as `info.context`, one per operation. Re-reads `state.market` each
    time (reset-safe). `closers` release what subscriptions registered on the market; the
    transport calls `close()` when the operation ends, however it ends."""

    state: SandboxState
    index: NibiruIndex
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self.closers:
            self.closers.pop()()

    def market(self) -> Market:
        market = self.state.market
        self.index.sync(market)
        return market

    def instrument(self, market_id: int) -> Instrument | None:
        for inst in self.state.market.venue_instruments(NIBIRU):
            if inst.market_id == market_id:
                return inst
        return None

    def instruments(self) -> list[Instrument]:
        return sorted(self.state.market.venue_instruments(NIBIRU), key=lambda i: i.market_id)

    def render_trade(self, pos: Position) -> Wire:
        market = self.state.market
        wire = render.trade(pos, market.instrument(NIBIRU, pos.symbol), market.now_ms)
        inst = market.instrument(NIBIRU, pos.symbol)
        wire["perpBorrowing"] = render.short_info(inst, pos.collateral_id, *self.open_interest(inst, pos.collateral_id),
                                                  market.now_ms)
        return wire

    def open_interest(self, inst: Instrument, collateral_id: int) -> tuple[float, float]:
        """(long, short) USD size of the open positions of one market and collateral."""
        long = short = 0.0
        for pos in self.state.market.open_positions[NIBIRU]:
            if pos.symbol == inst.symbol and pos.collateral_id == collateral_id:
                if pos.is_long:
                    long += pos.size_usd
                else:
                    short += pos.size_usd
        return long, short

    def volume_usd(self, inst: Instrument, collateral_id: int) -> float:
        return sum(abs(r.event.size_delta_usd) for r in self.index.rows
                   if r.event.symbol == inst.symbol and r.event.collateral_id == collateral_id
                   and r.change_type in render.OPENING)

    def render_row(self, row: HistoryRow) -> Wire:
        ev = row.event
        pos = self.index.trade(ev.trader, ev.position_index)
        trade = self.render_trade(pos) if pos is not None else None
        return render.history_item(row.id, row.change_type, ev, trade or {})

    def render_borrowing(self, collateral_id: int, market_id: int) -> Wire | None:
        inst = self.instrument(market_id)
        if inst is None or collateral_id not in render.COLLATERALS:
            return None
        long, short = self.open_interest(inst, collateral_id)
        return render.borrowing(inst, collateral_id, long, short, self.state.market.now_ms,
                                self.volume_usd(inst, collateral_id))

    def short_infos(self) -> list[tuple[Instrument, int, Wire]]:
        now = self.state.market.now_ms
        return [
            (inst, cid, render.short_info(inst, cid, *self.open_interest(inst, cid), now))
            for inst in self.instruments()
            for cid in sorted(render.COLLATERALS)
        ]


Info = GraphQLResolveInfo[SaiEnv]


def page(items: Sequence[T], args: dict[str, Any]) -> list[T]:
    limit = args.get("limit")
    offset = args.get("offset")
    limit = DEFAULT_LIMIT if limit is None else limit
    offset = 0 if offset is None else offset
    if limit < 0:
        raise GraphQLError("LIMIT must not be negative")
    if offset < 0:
        raise GraphQLError("OFFSET must not be negative")
    return list(items[offset: offset + min(limit, MAX_LIMIT)])


def _env(info: Info) -> SaiEnv:
    env = info.context
    env.market()
    return env


def resolve_perp(_root: Any, _info: Info) -> dict[str, Any]:
    return {}


def resolve_trade(_root: Any, info: Info, id: int, trader: str) -> Wire:  # noqa: A002
    env = _env(info)
    pos = env.index.trade(trader, id)
    if pos is None:
        raise GraphQLError(TRADE_NOT_FOUND)
    return env.render_trade(pos)


def resolve_trades(_root: Any, info: Info, where: dict[str, Any], **args: Any) -> list[Wire]:
    env = _env(info)
    trades: list[Position] = list(env.index.trades_by_trader.get(where["trader"], ()))
    if where.get("isOpen") is not None:
        trades = [p for p in trades if p.is_open == where["isOpen"]]
    if where.get("perpMarketId") is not None:
        raise GraphQLError(MARKET_FILTER_FAULT)
    if where.get("perpCollateralId") is not None:
        trades = [p for p in trades if p.collateral_id == where["perpCollateralId"]]
    if args.get("order_desc"):
        trades.reverse()
    return [env.render_trade(p) for p in page(trades, args)]


def resolve_trade_history(
    _root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any
) -> list[Wire]:
    env = _env(info)
    where = where or {}
    trader = where.get("trader")
    rows: list[HistoryRow] = list(env.index.rows if trader is None else env.index.rows_by_trader.get(trader, ()))
    kinds = where.get("tradeChangeType")
    if kinds:
        rows = [r for r in rows if r.change_type in kinds]
    if args.get("order_by") == "trade_id":
        rows.sort(key=lambda r: (r.event.position_index, r.id))
    if args.get("order_desc"):
        rows.reverse()
    return [env.render_row(r) for r in page(rows, args)]


def resolve_borrowing(_root: Any, info: Info, collateralId: int, marketId: int) -> Wire | None:  # noqa: N803
    return _env(info).render_borrowing(collateralId, marketId)


def resolve_borrowings(
    _root: Any, info: Info, where: dict[str, Any] | None = None, **args: Any
) -> list[Wire]:
    env = _env(info)
    where = where or {}
    rows = env.short_infos()
    if where.get("marketId") is not None:
        rows = [r for r in rows if r[0].market_id == where["marketId"]]
    if where.get("collateralId") is not None:
        rows = [r for r in rows if r[1] == where["collateralId"]]
    if args.get("order_by") == "base_token_name":
        rows.sort(key=lambda r: (str(r[2]["baseToken"]["name"]).casefold(), r[0].market_id, r[1]))
    if args.get("order_desc"):
        rows.reverse()
    return [r[2] for r in page(rows, args)]
