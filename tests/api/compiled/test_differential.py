"""Proof of equivalence: the compiled path answers exactly what graphql-core's standard execution
answers (Strawberry's `schema.execute`, the same extensions), for generated documents and
variables, on the session's `--no-live` sandbox. Both paths share one set of sources, so the
upstream cache is warm and both see the same upstream answers.

Hypothesis runs derandomized (the same examples on every run, so CI is deterministic) and prints
the failing example and its reproduction blob (`@reproduce_failure`) when one differs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries
from strawberry.http import process_result

from gateway.api.build import schema
from gateway.api.compiled.executor import CompiledExecutor
from gateway.api.compiled.projection import ROWS, Rows
from gateway.api.context import GatewayContext
from gateway.settings import Settings
from gateway.sources.memoized import memoized
from gateway.sources.registry import build_sources, close_sources
from sandbox.state import KEYS as SANDBOX_KEYS
from tests.api.compiled.documents import documents

SETTINGS = settings(deadline=None, derandomize=True, print_blob=True, database=None, phases=[Phase.explicit, Phase.generate, Phase.shrink],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@dataclass
class Harness:
    loop: asyncio.AbstractEventLoop
    sources: Any
    traders: list[str]
    compiled: CompiledExecutor

    def context(self) -> GatewayContext:
        return GatewayContext(sources=self.sources)

    def both(self, document: str, variables: dict[str, Any] | None) -> tuple[Any, Any]:
        """(standard answer, compiled answer or None when the compiled path declined)."""
        return self.loop.run_until_complete(self._both(document, variables))

    async def _both(self, document: str, variables: dict[str, Any] | None) -> tuple[Any, Any]:
        standard = await schema.execute(document, variable_values=variables, context_value=self.context(),
                                        operation_name="Q")
        expected = json.loads(json.dumps(process_result(standard)))
        got = await self.compiled.execute(document, variables, "Q", self.context())
        return expected, (json.loads(got) if got is not None else None)


@pytest.fixture(scope="module")
def harness(sandbox_url: str) -> Iterator[Harness]:
    loop = asyncio.new_event_loop()
    raw = build_sources(Settings(sandbox="off").with_sandbox(sandbox_url, SANDBOX_KEYS))
    sources = memoized(raw)  # as the app does; both paths share it
    traders = []
    with httpx.Client(base_url=f"{sandbox_url}/_control", timeout=30) as control:
        for venue in ("NIBIRU", "JUPITER", "HYPERLIQUID"):
            listed = control.get("/traders", params={"venue": venue}).json()
            traders += [t["address"] for t in sorted(listed, key=lambda t: -t["positions"])[:3]]
    try:
        yield Harness(loop, sources, traders, CompiledExecutor(schema))
    finally:
        loop.run_until_complete(close_sources(raw))
        loop.close()


def _racing(expected: Any, got: Any) -> bool:
    """Both answers nulled whole by a non-null error, differing only in which error reached the root.

    graphql-core 3.3 cancels the siblings of a field once a non-null error propagates through it.
    When several root fields each hold one, which propagates first depends on what every sibling
    task is awaiting at that moment (a loader batch, the upstream cache), so the standard path
    itself answers either one from run to run (seen here: the same document, three runs of each
    path, two different last errors from each). The errors recorded before the race are compared
    exactly; of the last, only that it is a caller's error with a code and a path.
    """
    if expected.get("data") is not None or got.get("data") is not None or set(expected) != set(got):
        return False
    mine, theirs = got.get("errors", []), expected.get("errors", [])
    if not mine or not theirs:
        return False
    shorter, longer = sorted((mine, theirs), key=len)
    if shorter[:-1] != longer[:len(shorter) - 1]:  # what was recorded before the race is identical
        return False
    return all(e.get("path") and e.get("extensions", {}).get("code") for e in mine + theirs)


def _settled(answer: Any) -> Any:
    """The answer with its partial errors (a merged list's failed venue: no location, appended
    after the located errors) in a fixed order: they are noted as each merge completes, so two
    merged lists failing in one document note theirs in completion order, in either path."""
    if not isinstance(answer, dict) or not answer.get("errors"):
        return answer
    located = [e for e in answer["errors"] if "locations" in e]
    partial = sorted((e for e in answer["errors"] if "locations" not in e), key=lambda e: json.dumps(e))
    return {**answer, "errors": located + partial}


def _check(harness: Harness, document: str, variables: dict[str, Any] | None) -> None:
    expected, got = harness.both(document, variables)
    expected, got = _settled(expected), _settled(got)
    if got is not None and got != expected and not _racing(expected, got):
        where, theirs, mine = _first_difference(expected, got)
        raise AssertionError(f"document:\n{document}\nvariables: {variables}\nfirst difference at {where}:\n"
                             f"standard: {json.dumps(theirs)[:2000]}\ncompiled: {json.dumps(mine)[:2000]}")


def _first_difference(a: Any, b: Any, path: tuple[Any, ...] = ()) -> tuple[tuple[Any, ...], Any, Any]:
    if isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b):
        for key in a:
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], (*path, key))
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, (*path, index))
    return path, a, b


@settings(SETTINGS, max_examples=1200)
@given(data=st.data())
def test_generated_documents_answer_the_same_on_both_paths(harness: Harness, data: st.DataObject) -> None:
    document, variables = data.draw(documents(schema._schema, harness.traders))
    _check(harness, document, variables)


SCALARS = {"Date": st.sampled_from(["2026-11-01", "2031-01-01", "bad"]).map(lambda d: StringValueNode(value=d)),
           "Time": st.just(StringValueNode(value="2026-11-01T00:00:00Z"))}


@settings(SETTINGS, max_examples=150)
@given(data=st.data())
def test_hypothesis_graphql_documents_answer_the_same_on_both_paths(harness: Harness, data: st.DataObject) -> None:
    query = data.draw(queries(schema._schema, custom_scalars=SCALARS))
    assert isinstance(query, str)
    _check(harness, query.replace("{", "query Q {", 1) if query.lstrip().startswith("{") else query, None)


FIELDS = "venue rank trader label pnl roi volume winRate trades accountValue score"
FIXED = [
    ("query Q { perp { leaderboard(where: {venue: JUPITER, timeframe: DAY}, limit: 30) { " + FIELDS + " } } }", {}),
    ("query Q($t: String!, $x: Boolean!) { p: perp { trades(where: {trader: $t}, limit: 20) { id isOpen "
     "...S @include(if: $x) perpBorrowing { ... on PerpBorrowingShortInfo { marketId venue } } } } } "
     "fragment S on PerpTrade { state { pnlCollateral pnlPct } openTime __typename }", {"x": True}),
    ("query Q { perp { borrowings(where: {venue: HYPERLIQUID}) { marketId baseToken { symbol name } } } }", {}),
]


def test_real_documents_take_the_compiled_path_and_match(harness: Harness) -> None:
    """Fails if the compiled path stopped answering (declining everything would pass the above)."""
    for trader in harness.traders:
        for document, variables in FIXED:
            before, fast = harness.compiled.compiled, harness.compiled.fast
            expected, got = harness.both(document, {**variables, "t": trader} if "$t" in document else variables)
            assert got == expected
            assert harness.compiled.compiled == before + 1
            assert harness.compiled.fast == fast + 1  # answered by the resolver levels alone (levels.py)
            assert "errors" not in expected or "$t" in document


def test_errors_and_null_propagation_match_with_paths(harness: Harness) -> None:
    nullable = ('query Q { perp { x: trade(id: 1, trader: "bad") { id } y: trade(id: 2, trader: "0x12") { id } '
                'borrowings { marketId } } }')
    propagated = 'query Q { perp { a: trades(where: {trader: "bad"}) { id } } b: perp { borrowings { marketId } } }'
    replays = harness.compiled.replays
    expected, got = harness.both(nullable, None)
    assert harness.compiled.replays == replays + 1  # the fast run failed; graphql-core answered
    assert got == expected and expected["data"]["perp"]["x"] is None and expected["data"]["perp"]["borrowings"]
    assert [e["path"] for e in expected["errors"]] == [["perp", "x"], ["perp", "y"]]
    assert [e["extensions"]["code"] for e in expected["errors"]] == ["BAD_USER_INPUT", "BAD_USER_INPUT"]
    expected, got = harness.both(propagated, None)
    assert got == expected and expected["data"] is None  # a non-null error nulls its way up to data
    assert [e["path"] for e in expected["errors"]] == [["perp", "a"]]


def test_a_warm_answer_reuses_its_projected_rows_and_the_table_stays_bounded(harness: Harness) -> None:
    """Rows (projection.py): the same mapped objects, projected the same way, are projected once;
    the answers stay equal to the standard path's; the table never passes its limit."""
    document = FIXED[0][0]
    harness.both(document, {})  # warms the upstream memo: the next answers share its row objects
    ROWS.table.clear()
    expected, first = harness.both(document, {})
    after_first = len(ROWS.table)
    _, second = harness.both(document, {})
    assert first == second == expected and len(expected["data"]["perp"]["leaderboard"]) == 30
    assert after_first >= 30 and len(ROWS.table) == after_first  # the second answer projected nothing new
    limit = Rows.LIMIT
    try:
        Rows.LIMIT = 10
        ROWS.table.clear()
        _, bounded = harness.both(document, {})
        assert bounded == expected and len(ROWS.table) <= 10
    finally:
        Rows.LIMIT = limit


def test_repeated_arguments_are_converted_once(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """DirectResolvers (resolvers.py): the resolver levels get Strawberry's converted inputs once per
    argument values (kept with the plan's step or its coerced variables, and in a memo keyed by the
    values); new values are converted, repeats are not."""
    import gateway.api.compiled.resolvers as resolvers

    conversions: list[dict[str, Any]] = []
    original = resolvers.convert_arguments

    def counting(raw: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        conversions.append(raw)
        return original(raw, *args, **kwargs)

    monkeypatch.setattr(resolvers, "convert_arguments", counting)  # a spy on Strawberry's pure function
    harness.compiled._plans.clear()
    harness.compiled._direct._memo.clear()
    document, variables = FIXED[1]
    expected, got = harness.both(document, {**variables, "t": harness.traders[0]})
    assert got == expected and len(conversions) == 1  # `trades(where: {trader: $t}, limit: 20)`
    again, _ = harness.both(document, {**variables, "t": harness.traders[0]})
    assert again == expected and len(conversions) == 1  # the repeat converted nothing
    harness.both(document, {**variables, "t": harness.traders[1]})
    assert len(conversions) == 2  # another trader: one more conversion
