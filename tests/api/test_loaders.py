"""Per-operation DataLoaders (gateway/api/loaders.py) with recording stand-in sources.

The stand-ins are the loaders' collaborators, not the gateway's clients: they record which keys
each batch asked for, so repeated keys, batching and the per-operation lifetime are visible.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from graphql import parse, validate

from gateway.api import loaders
from gateway.errors import GatewayError, UpstreamUnavailable
from gateway.model.source import HistoryQuery, TradesQuery
from gateway.model.types import PerpTimeframe, PerpTraderStats
from gateway.model.venue import Venue
from gateway.sources.nibiru import queries
from gateway.sources.perpstracker.trader_stats import plan, unranked
from sandbox.nibiru.schema import sai_schema


class Batching:
    """Answers trades with the trader's name; `trades_many` records each batch."""

    def __init__(self) -> None:
        self.batches: list[list[TradesQuery]] = []

    async def trades(self, q: TradesQuery) -> list[str]:
        raise AssertionError("a batching source is asked through trades_many")

    async def trades_many(self, qs: Sequence[TradesQuery]) -> list[list[str] | GatewayError]:
        self.batches.append(list(qs))
        return [[q.trader] if q.trader != "down" else UpstreamUnavailable("nibiru", "down") for q in qs]


class Single:
    """A source without batch methods: one call per key."""

    def __init__(self) -> None:
        self.calls: list[TradesQuery] = []

    async def trades(self, q: TradesQuery) -> list[str]:
        self.calls.append(q)
        await asyncio.sleep(0)
        return [q.trader]


class Stats:
    def __init__(self) -> None:
        self.batches: list[list[tuple[str, PerpTimeframe]]] = []

    async def trader_stats_many(
        self, keys: Sequence[tuple[str, PerpTimeframe]]
    ) -> list[PerpTraderStats | Exception]:
        self.batches.append(list(keys))
        return [unranked(w, tf) for w, tf in keys]


async def test_loads_in_one_operation_batch_and_repeated_keys_load_once() -> None:
    source = Batching()
    token = loaders.begin()
    try:
        a, b, c = (TradesQuery(trader=t) for t in ("a", "b", "a"))
        got = await asyncio.gather(*(loaders.load_trades(source, q) for q in (a, b, c)))  # type: ignore[arg-type]
    finally:
        loaders.end(token)
    assert got == [["a"], ["b"], ["a"]]
    assert source.batches == [[a, b]]


async def test_a_failed_key_fails_only_its_load() -> None:
    source = Batching()
    token = loaders.begin()
    try:
        results = await asyncio.gather(
            loaders.load_trades(source, TradesQuery(trader="ok")),  # type: ignore[arg-type]
            loaders.load_trades(source, TradesQuery(trader="down")),  # type: ignore[arg-type]
            return_exceptions=True)
    finally:
        loaders.end(token)
    assert results[0] == ["ok"] and isinstance(results[1], UpstreamUnavailable)


async def test_each_operation_gets_fresh_loaders() -> None:
    source = Batching()
    for _ in range(2):
        token = loaders.begin()
        try:
            await loaders.load_trades(source, TradesQuery(trader="a"))  # type: ignore[arg-type]
        finally:
            loaders.end(token)
    assert len(source.batches) == 2, "nothing is remembered from one operation to the next"


async def test_a_source_that_cannot_batch_still_loads_a_repeated_key_once() -> None:
    source = Single()
    token = loaders.begin()
    try:
        await asyncio.gather(*(loaders.load_trades(source, TradesQuery(trader=t))  # type: ignore[arg-type]
                               for t in ("a", "a", "b")))
    finally:
        loaders.end(token)
    assert sorted(q.trader for q in source.calls) == ["a", "b"]


async def test_outside_an_operation_loads_go_straight_to_the_source() -> None:
    source = Single()
    await asyncio.gather(*(loaders.load_trades(source, TradesQuery(trader="a")) for _ in range(2)))  # type: ignore[arg-type]
    assert len(source.calls) == 2


async def test_trader_stats_loads_batch_by_key() -> None:
    source = Stats()
    token = loaders.begin()
    try:
        await asyncio.gather(*(loaders.load_trader_stats(source, w, PerpTimeframe.DAY) for w in "abcab"))
    finally:
        loaders.end(token)
    assert source.batches == [[("a", PerpTimeframe.DAY), ("b", PerpTimeframe.DAY), ("c", PerpTimeframe.DAY)]]


def test_compare_plan_groups_by_timeframe_in_fives() -> None:
    day, week = PerpTimeframe.DAY, PerpTimeframe.WEEK
    keys = [(f"w{i}", day) for i in range(7)] + [("w0", day), ("w0", week)]
    assert plan(keys) == [(day, ["w0", "w1", "w2", "w3", "w4"]), (day, ["w5", "w6"]), (week, ["w0"])]


def test_unranked_stats_are_null_not_zero() -> None:
    stats = unranked("w", PerpTimeframe.MONTH)
    assert (stats.venue, stats.rank, stats.pnl, stats.roi, stats.winRate, stats.trades) == (
        Venue.JUPITER, None, None, None, None, None)


def test_aliased_sai_keeper_documents_validate_against_sai_keepers_schema() -> None:
    for field in (queries.TRADES_FIELD, queries.TRADE_FIELD, queries.HISTORY_FIELD):
        document = queries.aliased(field, 3)
        assert validate(sai_schema(), parse(document)) == [], document
    assert queries.aliased(queries.TRADES_FIELD, 2).startswith("query GatewayTradesBatch(")
    variables = queries.aliased_variables([{"where": {"trader": "a"}}, {"where": {"trader": "b"}, "limit": 3}])
    assert variables == {"where0": {"trader": "a"}, "where1": {"trader": "b"}, "limit1": 3}


def test_history_queries_are_hashable_loader_keys() -> None:
    assert len({HistoryQuery(trader="a"), HistoryQuery(trader="a")}) == 1
