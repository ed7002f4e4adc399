"""Subscription groups on the compiled path (gateway/api/compiled/events.py): each event answered
exactly as graphql-core's standard per-event execution answers it.

Events are the objects the hub carries (mapped trades, history items, markets), read here from
the session's `--no-live` sandbox through the real sources; each subscription document runs once
per event on both executors (graphql-core's `build_per_event_executor` + `execute_subscription_event`,
as `subscribe` does for every event), and data and errors must be identical. A null in a
non-null position (a trade without its id) must produce the same error and null propagation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import ExecutionResult, execute_subscription_event, parse, validate
from strawberry.http import process_result
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.api.build import schema
from gateway.api.compiled.events import event_schema
from gateway.api.context import GatewayContext
from gateway.model.source import BorrowingsQuery, HistoryQuery, Page, TradesQuery
from gateway.model.venue import Venue
from gateway.settings import Settings
from gateway.sources.registry import build_sources, close_sources
from sandbox.state import KEYS as SANDBOX_KEYS

TRADES = """subscription Q($t: String!, $x: Boolean!) { perpTrades(where: {trader: $t}) {
  id trader isOpen isLong leverage collateralAmount openPrice market venue openTime __typename
  ...S @include(if: $x) alias: id } }
fragment S on PerpTrade { state { pnlCollateral pnlPct liquidationPrice } }"""
HISTORY = """subscription Q($t: String!) { perpTradeHistory(where: {trader: $t}) {
  id tradeChangeType realizedPnlPct block { block block_ts } trade { id isLong venue } sizeDeltaUsd } }"""
BORROWINGS = "subscription Q { perpBorrowings { marketId venue baseToken { symbol name } visible } }"
BORROWING = "subscription Q { perpBorrowing(collateralId: 0, marketId: 0) { marketId venue price isOpen } }"
LIVE = "subscription Q { perpLiveTrades { id tradeChangeType trade { trader venue isLong } block { block_ts } } }"


@pytest.fixture(scope="module")
def events(sandbox_url: str) -> Iterator[dict[str, list[Any]]]:
    """Payloads of each kind, per venue, read through the real sources."""
    loop = asyncio.new_event_loop()
    sources = build_sources(Settings(sandbox="off").with_sandbox(sandbox_url, SANDBOX_KEYS))

    async def read() -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {"trades": [], "history": [], "borrowings": [], "live": []}
        async with httpx.AsyncClient(base_url=f"{sandbox_url}/_control", timeout=30) as control:
            for venue in (Venue.NIBIRU, Venue.JUPITER, Venue.HYPERLIQUID):
                listed = (await control.get("/traders", params={"venue": venue.value})).json()
                trader = max(listed, key=lambda t: t["positions"])["address"]
                source = sources[venue]
                trades = await source.trades(TradesQuery(trader=trader, page=Page(limit=20)))
                history = await source.trade_history(HistoryQuery(trader=trader, page=Page(limit=20)))
                found["trades"].append((trader, trades))
                found["history"].append((trader, history))
                found["live"] += history[:5]
                found["borrowings"].append(await source.borrowings(BorrowingsQuery(page=Page(limit=20))))
        return found

    try:
        yield loop.run_until_complete(read())
    finally:
        loop.run_until_complete(close_sources(sources))
        loop.close()


def _answer(executor_class: Any, document: str, variables: dict[str, Any], payload: Any) -> Any:
    parsed = parse(document)
    assert not validate(schema._schema, parsed), validate(schema._schema, parsed)  # as Strawberry checks first

    async def run() -> Any:
        built = executor_class.build(schema._schema, parsed, None, GatewayContext(sources={}),
                                     variables, "Q")
        assert not isinstance(built, list), built
        result = execute_subscription_event(built.build_per_event_executor(payload))
        if not isinstance(result, ExecutionResult):
            result = await result
        return json.loads(json.dumps(process_result(result)))

    return asyncio.run(run())


def _same(document: str, variables: dict[str, Any], payload: Any) -> Any:
    compiled_class = event_schema(schema).execution_context_class
    expected = _answer(StrawberryGraphQLCoreExecutionContext, document, variables, payload)
    got = _answer(compiled_class, document, variables, payload)
    assert got == expected, f"{document}\n{variables}\nstandard: {expected}\ncompiled: {got}"
    return expected


def test_every_kind_of_event_answers_the_same_on_both_executors(events: dict[str, list[Any]]) -> None:
    answered = 0
    for trader, trades in events["trades"]:
        assert trades, "the sandbox's busiest trader has trades"
        for include in (True, False):
            answer = _same(TRADES, {"t": trader, "x": include}, trades)
            assert len(answer["data"]["perpTrades"]) == len(trades)
            assert ("state" in answer["data"]["perpTrades"][0]) is include
            answered += 1
    for trader, history in events["history"]:
        _same(HISTORY, {"t": trader}, history)
    for borrowings in events["borrowings"]:
        assert borrowings
        _same(BORROWINGS, {}, borrowings)
        _same(BORROWING, {}, borrowings[0])
    for item in events["live"]:
        _same(LIVE, {}, item)
    assert answered == 6


def test_a_null_in_a_non_null_field_errors_and_propagates_the_same(events: dict[str, list[Any]]) -> None:
    trader, trades = events["trades"][1]
    broken = [trades[0], dataclasses.replace(trades[1], id=None)] + trades[2:]  # type: ignore[arg-type]
    answer = _same(TRADES, {"t": trader, "x": False}, broken)
    assert answer["data"] is None  # [PerpTrade!]! : the null reaches the root
    assert answer["errors"][0]["path"] == ["perpTrades", 1, "id"]


def test_the_group_executor_plans_each_operation_once() -> None:
    compiled_class = event_schema(schema).execution_context_class
    document = parse(BORROWINGS)
    first = compiled_class.build(schema._schema, document, None, GatewayContext(sources={}), {}, "Q")
    second = compiled_class.build(schema._schema, document, None, GatewayContext(sources={}), {}, "Q")
    assert first.plan is not None and first.plan is second.plan
    event = first.build_per_event_executor([])
    assert event.plan is first.plan
    execute_subscription_event(event)  # an empty list of markets: projected
    assert [p for p in first.plan._projections.values() if p is not None], "the event went through a projection"
