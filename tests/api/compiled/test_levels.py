"""The resolver levels (gateway/api/compiled/levels.py): run without graphql-core while nothing goes
wrong, and when something does, graphql-core answers again from what the fast run recorded.

A small schema of the test's own, so that the resolvers can count their calls and choose the
order in which they fail (an `asyncio.Event` between them, no sleeps). Every answer is compared
with Strawberry's standard execution of the same document, with the gateway's error mapping on
both sides.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest
import strawberry
from strawberry.http import process_result

from gateway.api.compiled.executor import CompiledExecutor
from gateway.api.compiled.levels import Turnstile
from gateway.api.extensions.errors import ErrorMapping
from gateway.errors import BadUserInput

CALLS: Counter[str] = Counter()


@strawberry.type
class Row:
    n: int
    label: str


@strawberry.type
class Namespace:
    @strawberry.field
    async def first(self, info: strawberry.Info) -> int | None:
        CALLS["first"] += 1
        await info.context["second_failed"].wait()
        raise BadUserInput("first fails second")

    @strawberry.field
    async def second(self, info: strawberry.Info) -> int | None:
        CALLS["second"] += 1
        info.context["second_failed"].set()
        raise BadUserInput("second fails first")

    @strawberry.field
    async def rows(self, count: int = 2) -> list[Row]:
        CALLS["rows"] += 1
        return [Row(n=i, label=f"row {i}") for i in range(count)]

    @strawberry.field
    async def bad_rows(self) -> list[Row]:
        CALLS["bad_rows"] += 1
        return [Row(n=1, label="fine"), Row(n=2, label=None)]  # type: ignore[arg-type]

    @strawberry.field
    def sync_fails(self) -> int | None:
        CALLS["sync_fails"] += 1
        raise BadUserInput("sync resolver fails")

    @strawberry.field
    async def required(self) -> int:
        CALLS["required"] += 1
        raise BadUserInput("a non-null field fails")

    @strawberry.field
    async def waits(self, info: strawberry.Info) -> int | None:
        CALLS["waits"] += 1
        await info.context["second_failed"].wait()
        return 7


@strawberry.type
class Query:
    @strawberry.field
    def ns(self) -> Namespace:
        CALLS["ns"] += 1
        return Namespace()

    @strawberry.field
    def maybe(self) -> Namespace | None:
        CALLS["maybe"] += 1
        return None


SCHEMA = strawberry.Schema(Query, extensions=[ErrorMapping])


def context() -> dict[str, Any]:
    return {"second_failed": asyncio.Event()}


async def standard(document: str, variables: dict[str, Any] | None = None) -> tuple[Any, Counter[str]]:
    CALLS.clear()
    result = await SCHEMA.execute(document, variable_values=variables, context_value=context())
    return json.loads(json.dumps(process_result(result))), Counter(CALLS)


async def compiled(executor: CompiledExecutor, document: str,
                   variables: dict[str, Any] | None = None) -> tuple[Any, Counter[str]]:
    CALLS.clear()
    body = await asyncio.wait_for(executor.execute(document, variables, None, context()), timeout=30)
    assert body is not None, "the compiled path declined"
    return json.loads(body), Counter(CALLS)


@pytest.fixture
def executor() -> CompiledExecutor:
    return CompiledExecutor(SCHEMA)


async def test_a_document_without_errors_is_answered_by_the_levels_alone(executor: CompiledExecutor) -> None:
    document = "query($c: Int!, $x: Boolean!) { ns { a: rows(count: $c) { n label } b: rows { n @include(if: $x) } } }"
    for variables in ({"c": 3, "x": True}, {"c": 1, "x": False}):
        expected, _ = await standard(document, variables)
        got, calls = await compiled(executor, document, variables)
        assert got == expected and "errors" not in got
        assert calls == Counter(ns=1, rows=2)
    assert (executor.fast, executor.replays) == (2, 0)


async def test_errors_follow_the_order_the_resolvers_failed_in(executor: CompiledExecutor) -> None:
    """`second` fails first (document order would put `first`'s error first): the replay keeps
    the fast run's settling order, as the standard path keeps the upstreams' timing."""
    document = "{ ns { first second rows { n } } }"
    expected, standard_calls = await standard(document)
    got, calls = await compiled(executor, document)
    assert [e["message"] for e in expected["errors"]] == ["second fails first", "first fails second"]
    assert got == expected
    assert calls == standard_calls == Counter(ns=1, first=1, second=1, rows=1)  # no resolver ran twice
    assert (executor.fast, executor.replays) == (0, 1)


async def test_a_null_in_a_non_null_row_field_propagates_as_graphql_core_does(executor: CompiledExecutor) -> None:
    document = "{ ns { badRows { n label } } }"
    expected, _ = await standard(document)
    got, calls = await compiled(executor, document)
    assert got == expected and expected["data"] is None
    assert expected["errors"][0]["path"] == ["ns", "badRows", 1, "label"]
    assert calls == Counter(ns=1, bad_rows=1)
    assert executor.replays == 1


async def test_sync_failures_nullable_roots_and_non_null_failures(executor: CompiledExecutor) -> None:
    for document in ("{ ns { syncFails rows { n } } maybe { rows { n } } }",
                     "{ ns { required } other: ns { rows { n } } }",
                     "{ ns { waits required second } }"):  # `required` fails while `waits` is pending
        expected, _ = await standard(document)
        got, calls = await compiled(executor, document)
        assert got == expected, document
        assert all(n == 1 for name, n in calls.items() if name != "ns"), calls
    assert executor.replays == 3


async def test_the_turnstile_passes_over_a_rank_nobody_asks_for() -> None:
    """Rank 1 is never asked for (its field was cancelled, say): rank 2 still settles."""
    turnstile = Turnstile(3)
    order: list[int] = []

    async def settle(rank: int) -> None:
        order.append(await turnstile.settle(rank, rank, raised=False))

    await asyncio.wait_for(asyncio.gather(settle(2), settle(0)), timeout=5)
    assert order == [0, 2]


async def test_repeated_variables_are_coerced_once_with_their_argument_values(executor: CompiledExecutor) -> None:
    document = "query($c: Int!) { ns { rows(count: $c) { n } } }"
    await compiled(executor, document, {"c": 2})
    plan = executor.plan(document, None)
    assert plan is not None and len(plan.bound) == 1
    (bound,) = plan.bound.values()
    (step,) = bound.calls  # `rows(count: $c)`: its resolver with the arguments bound, made on first use
    assert step.name == "rows" and step.arguments is None and step.call is None
    again, _ = await compiled(executor, document, {"c": 2})
    assert list(plan.bound.values()) == [bound] and again == (await standard(document, {"c": 2}))[0]
    await compiled(executor, document, {"c": 3})
    assert len(plan.bound) == 2  # other values: coerced anew
