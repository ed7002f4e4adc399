"""Batching DataLoaders, built per GraphQL operation.

An operation gets a fresh set of loaders (the `LoadersPerOperation` extension opens them around
execution), so loads are batched and repeated keys loaded once within the operation, and nothing
is remembered past it: Strawberry's `get_context` runs once per WebSocket connection, so loaders
hung on the context would cache for a socket's whole life. Subscriptions get none.

Resolvers call `load_*`. A source that can batch offers a `*_many` method (NIBIRU: one aliased
Sai Keeper document; JUPITER trader stats: `/perpetuals/compare`, five wallets per call); for
the others the loader only makes repeated keys load once. Outside an operation (a poller, a
test) `load_*` calls the source directly.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Protocol, TypeVar

from strawberry.dataloader import DataLoader

from gateway.model.source import HistoryQuery, PerpSource, TradesQuery
from gateway.model.types import PerpTimeframe, PerpTrade, PerpTradeHistoryItem, PerpTraderStats
from gateway.observe import tracing

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

BatchFn = Callable[[list[Any]], Awaitable[Sequence[Any]]]


class TraderStatsSource(Protocol):
    async def trader_stats_many(
        self, keys: Sequence[tuple[str, PerpTimeframe]]
    ) -> Sequence[PerpTraderStats | Exception]: ...


class OperationLoaders:
    """The loaders of one operation, one per (kind of load, source), made on first use."""

    def __init__(self) -> None:
        self._loaders: dict[tuple[str, int], DataLoader[Any, Any]] = {}

    def loader(self, kind: str, owner: object, batch: BatchFn) -> DataLoader[Any, Any]:
        key = (kind, id(owner))
        found = self._loaders.get(key)
        if found is None:
            found = self._loaders[key] = DataLoader(load_fn=_traced(kind, batch))
        return found


_current: contextvars.ContextVar[OperationLoaders | None] = contextvars.ContextVar(
    "operation_loaders", default=None)


def begin() -> contextvars.Token[OperationLoaders | None]:
    return _current.set(OperationLoaders())


def end(token: contextvars.Token[OperationLoaders | None]) -> None:
    _current.reset(token)


def current() -> OperationLoaders | None:
    return _current.get()


def _traced(kind: str, batch: BatchFn) -> BatchFn:
    """A batch run inside a span (`loader trades`), so upstream calls nest under their batch."""

    async def run(keys: list[Any]) -> Sequence[Any]:
        with tracing.span(f"loader {kind}", attributes={"gateway.loader": kind, "gateway.loader.keys": len(keys)}):
            return await batch(keys)

    return run


def _each(single: Callable[[Any], Awaitable[Any]]) -> BatchFn:
    """A batch function for a source that cannot batch: distinct keys concurrently, one call each."""

    async def batch(keys: list[Any]) -> list[Any]:
        return list(await asyncio.gather(*(single(k) for k in keys), return_exceptions=True))

    return batch


async def _load(kind: str, source: object, key: Any, batch: BatchFn | None,
                single: Callable[[Any], Awaitable[V]]) -> V:
    loaders = _current.get()
    if loaders is None:
        return await single(key)
    result: V = await loaders.loader(kind, source, batch or _each(single)).load(key)
    return result


async def load_trades(source: PerpSource, q: TradesQuery) -> list[PerpTrade]:
    return await _load("trades", source, q, getattr(source, "trades_many", None), source.trades)


async def load_trade(source: PerpSource, trader: str, trade_id: int) -> PerpTrade | None:
    async def single(key: tuple[str, int]) -> PerpTrade | None:
        return await source.trade(*key)

    return await _load("trade", source, (trader, trade_id), getattr(source, "trade_many", None), single)


async def load_trade_history(source: PerpSource, q: HistoryQuery) -> list[PerpTradeHistoryItem]:
    return await _load("tradeHistory", source, q, getattr(source, "trade_history_many", None),
                       source.trade_history)


async def load_trader_stats(source: TraderStatsSource, trader: str, timeframe: PerpTimeframe) -> PerpTraderStats:
    async def single(key: tuple[str, PerpTimeframe]) -> PerpTraderStats:
        answer = (await source.trader_stats_many([key]))[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return await _load("traderStats", source, (trader, timeframe),
                       source.trader_stats_many, single)
