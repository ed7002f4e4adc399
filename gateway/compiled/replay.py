"""Replaying an operation on graphql-core with the resolvers' answers already in hand.

Errors are where exactness is hardest: the located error of a non-null field nulls its nearest
nullable ancestor, the errors of a level come in the order graphql-core completes its fields,
and a refused leaf says what graphql-core's coercion says. Rather than imitate all that, an
operation with any error is executed once more by graphql-core's executor, with a middleware
that answers each resolved field from the first run (the same value, or the same exception,
sync or async as the resolver was). So no upstream is asked twice, side effects of resolvers
(partial errors noted on the context) happen once, and the result is graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from graphql import ExecutionResult, GraphQLResolveInfo

# (response path) -> (value or exception, whether the resolver returned an awaitable)
Outcomes = dict[tuple[str | int, ...], tuple[Any, bool]]
BuildExecutor = Callable[[Any], Any]


def answering(outcomes: Outcomes) -> Callable[..., Any]:
    """A graphql-core middleware answering recorded fields from `outcomes`."""

    def middleware(next_: Callable[..., Any], root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        found = outcomes.get(tuple(info.path.as_list()))
        if found is None:
            return next_(root, info, **args)
        value, was_async = found
        if was_async:
            return _later(value)
        if isinstance(value, Exception):
            raise value
        return value

    return middleware


async def _later(value: Any) -> Any:
    if isinstance(value, Exception):
        raise value
    return value


async def replay(build: BuildExecutor, outcomes: Outcomes) -> ExecutionResult:
    executor = build(answering(outcomes))
    if isinstance(executor, list):  # cannot happen: the same variables coerced a moment ago
        return ExecutionResult(None, executor)
    result: ExecutionResult | Awaitable[ExecutionResult] = executor.execute_operation()
    if isinstance(result, ExecutionResult):
        return result
    return await result
