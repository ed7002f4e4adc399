"""Running a compiled plan: resolve the resolved levels, project the rest, replay on trouble.

The executor graphql-core would use (strawberry's executor class, built by `Executor.build`) is
built for every request anyway: it coerces the variables exactly as the standard path does
(a variable that does not coerce sends the request to the standard path, which reports it), and
it builds the `GraphQLResolveInfo` each resolver receives. Resolvers of one level run
concurrently, as graphql-core runs them.

When every resolver answered and every projection passed, the result is built here without
graphql-core. Otherwise (a resolver raised, or a projection met a value graphql-core would
refuse) the operation is replayed by graphql-core itself with the answers already obtained
(replay.py): nothing is fetched twice, and errors, paths and nulls are graphql-core's.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLNonNull
from graphql.execution.executor import Executor, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from gateway.compiled.plan import Level, Plan
from gateway.compiled.projection import Bail
from gateway.compiled.replay import Outcomes, replay


class _Failed(Exception):
    """A resolved level could not be completed here; the operation is replayed."""


@dataclass
class Executed:
    """What the compiled path produced: plain data and graphql-core errors (unmapped)."""

    data: dict[str, Any] | None
    errors: list[GraphQLError] | None
    replayed: bool = False


async def _resolve_level(executor: Executor, level: Level, source: Any, path: Path | None,
                         outcomes: Outcomes) -> dict[str, Any]:
    data: dict[str, Any] = {}
    pending: list[tuple[int, Any]] = []
    entries = level.entries
    values: list[Any] = [None] * len(entries)
    failed = False
    for index, entry in enumerate(entries):
        if entry.typename is not None:
            continue
        field_def = entry.field_def
        assert field_def is not None
        field_path = Path(path, entry.key, level.type.name)
        node = entry.details[0].node
        try:
            args = get_argument_values(field_def, node, executor.variable_values) \
                if field_def.args or node.arguments else {}
            info = executor.build_resolve_info(field_def, to_nodes(entry.details), level.type, field_path)
            assert field_def.resolve is not None
            result = field_def.resolve(source, info, **args)
        except Exception as exc:
            outcomes[tuple(field_path.as_list())] = (exc, False)
            failed = True
            continue
        if executor.is_awaitable(result):
            pending.append((index, result))
        else:
            values[index] = result
            outcomes[tuple(field_path.as_list())] = (result, False)
    if pending:
        answers = await asyncio.gather(*(awaitable for _, awaitable in pending), return_exceptions=True)
        for (index, _), answer in zip(pending, answers, strict=True):
            key = tuple(Path(path, entries[index].key, level.type.name).as_list())
            outcomes[key] = (answer, True)
            if isinstance(answer, BaseException):
                if not isinstance(answer, Exception):
                    raise answer  # cancellation and the like are not field errors
                failed = True
            else:
                values[index] = answer
    if failed:
        raise _Failed
    for index, entry in enumerate(entries):
        if entry.typename is not None:
            data[entry.key] = entry.typename
            continue
        value = values[index]
        if entry.child is not None:
            if value is None:
                assert entry.field_def is not None
                if isinstance(entry.field_def.type, GraphQLNonNull):
                    raise _Failed
                data[entry.key] = None
                continue
            child_path = Path(path, entry.key, level.type.name)
            data[entry.key] = await _resolve_level(executor, entry.child, value, child_path, outcomes)
        else:
            assert entry.project is not None
            data[entry.key] = entry.project(value)
    return data


async def run_plan(plan: Plan, executor: Executor, build_replay: Any) -> Executed | None:
    """Execute `plan` with the request's executor; None when the plan has no variant for it.

    `build_replay(middleware)` builds a fresh executor for the same request with a middleware,
    used only when the operation must be replayed.
    """
    variant = plan.variant(executor)
    if variant is None:
        return None
    outcomes: Outcomes = {}
    try:
        data = await _resolve_level(executor, variant.root, executor.root_value, None, outcomes)
    except (_Failed, Bail):
        result: ExecutionResult = await replay(build_replay, outcomes)
        return Executed(result.data, result.errors, replayed=True)
    except Exception:  # a projection met something unforeseen: graphql-core decides
        result = await replay(build_replay, outcomes)
        return Executed(result.data, result.errors, replayed=True)
    return Executed(data, None)
