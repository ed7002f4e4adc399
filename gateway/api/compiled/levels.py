"""The resolver levels of a plan, run without graphql-core's executor while nothing goes wrong.

A compiled plan's projections (projection.py) complete everything below the resolvers. What was
left to graphql-core was the levels above: `perp`, then `perp.leaderboard`. For those few fields
graphql-core still built a whole executor per request (variables, fragments, field collection,
the incremental-delivery bookkeeping) and walked `execute_fields` → `execute_field` →
`complete_value` with paths, abort signals and error collection: measured, a quarter of a
response-cache miss for a one-field document.

`Levels` is what that walk decides once per plan variant (the `@include`/`@skip` values): the
fields of each level as graphql-core collects them, their resolve functions (through the same
middleware the standard path uses, `DirectResolvers`), their argument values when they hold no
variables, and for each resolver field either the projection of its value or the next level.
`Levels.run` then calls the resolvers in graphql-core's order (siblings called in turn, their
awaitables awaited together, one awaited directly) with the same `info`.

It only ever answers when nothing went wrong: no resolver raised, no value was refused (a null
in a non-null position, a projection's `Bail`). Then the answer is what graphql-core gives, data
and no errors. On the first thing that goes wrong the run is marked failed, finishes what it
started, and the operation is run again by graphql-core (run.py's `ProjectingExecutor`) with
`Replay` in the middleware's place: every resolver the fast run called answers the outcome it
had (its value, or its exception, as sync or async as it was), so no resolver runs twice and no
upstream is asked twice, and the errors, their paths and the null propagation are graphql-core's.
Anything these levels do not run (an abstract type, a list of objects with resolvers, a field
of `__schema`) makes the variant `UNSUPPORTED`: the whole operation goes to graphql-core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    VariableNode,
    Visitor,
    default_field_resolver,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields
from graphql.execution.values import VariableValues, get_argument_values
from graphql.pyutils import Path
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo as ResolveInfo

from gateway.api.compiled.fields import Unsupported

Resolve = Callable[..., Any]
Call = Callable[[Any, Any], Any]  # a resolver with its arguments bound: f(source, info)
NO_EXTENSIONS: Any = None  # the operation extensions `info` carries: none on this path, as `_build` passes
Project = Callable[[Any], Any]


class _HasVariable(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, *_args: Any) -> None:
        self.found = True


def _uses_variables(node: FieldNode) -> bool:
    finder = _HasVariable()
    for argument in node.arguments or ():
        if isinstance(argument.value, VariableNode):
            return True
        visit(argument.value, finder)
    return finder.found


@dataclass(slots=True, frozen=True, eq=False)  # hashed by identity: a key of `Bound.calls`
class Step:
    """One field of a resolver level, as graphql-core's `execute_field` would run it."""

    key: str  # response key (alias or name)
    nodes: list[FieldNode]
    field_def: GraphQLField | None  # None: `__typename`, answered by `typename`
    parent: GraphQLObjectType
    resolve: Resolve
    arguments: dict[str, Any] | None  # None: they read variables, computed per request (`Bound`)
    non_null: bool
    project: Project | None  # completes the value; or None: `children` on the object below
    children: tuple[Step, ...]
    typename: str | None = None
    call: Call | None = None  # `f(source, info)` with the literal arguments bound; None: they read variables

    @property
    def name(self) -> str:
        return self.nodes[0].name.value


class Bound:
    """A request's coerced variables, with the argument values computed from them so far.

    Kept by the executor for variables that repeat (the same trader's page asked again): then
    neither the coercion nor the argument values are computed twice. Shared between requests,
    so read-only, as graphql-core's are to resolvers.
    """

    __slots__ = ("values", "calls")

    def __init__(self, values: VariableValues) -> None:
        self.values = values
        self.calls: dict[Step, Call] = {}  # a step's resolver with these values' arguments bound


class Failed(Exception):
    """A fast run met something that graphql-core must answer (see `Replay`)."""


# what a fast run recorded of each resolver it called: (path keys) -> (outcome, raised, settle rank);
# the rank is the order in which the resolver's awaitable settled, None for a sync resolver
Outcomes = dict[tuple[str | int, ...], tuple[Any, bool, int | None]]


class Levels:
    """The resolver levels of one plan variant, collected once (see the module docstring)."""

    def __init__(self, executor: Any, projection: Callable[[GraphQLOutputType, list[FieldDetails]], Project | None],
                 middleware: Any) -> None:
        self.schema: GraphQLSchema = executor.schema
        self.operation = executor.operation
        self.fragment_definitions = executor.fragment_definitions
        self._projection = projection
        self._middleware = middleware
        self._executor = executor
        root = self.schema.query_type
        if root is None or root.is_type_of is not None:
            raise Unsupported("no plain query root")
        collected = collect_fields(self.schema, executor.fragments, executor.variable_values, root,
                                   self.operation, executor.hide_suggestions)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        self.steps = self._steps(root, collected.grouped_field_set)
        del self._executor, self._projection  # only needed while collecting

    def bind(self, field_def: GraphQLField, resolve: Resolve, arguments: dict[str, Any]) -> Call:
        """The resolver with these argument values bound: through `DirectResolvers.prepare` when it
        calls this field (the values converted once, not hashed per request), else as graphql-core
        calls it."""
        prepare = getattr(self._middleware, "prepare", None)
        prepared = prepare(field_def.resolve, arguments) if prepare is not None and field_def.resolve else None
        if prepared is not None:
            return cast(Call, prepared)

        def call(source: Any, info: Any) -> Any:
            return resolve(source, info, **arguments)

        return call

    def _steps(self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> tuple[Step, ...]:
        steps = []
        for key, details in grouped.items():
            if any(d.fragment_variable_values is not None or d.defer_usage is not None for d in details):
                raise Unsupported("fragment variables or @defer")
            nodes = [d.node for d in details]
            name = nodes[0].name.value
            if name == "__typename":
                steps.append(Step(key, nodes, None, parent, default_field_resolver, {}, True, None, (),
                                  typename=parent.name))
                continue
            field_def = parent.fields.get(name)
            if field_def is None or name.startswith("__"):
                raise Unsupported(f"field {name}")
            resolve = self._middleware.get_field_resolver(field_def.resolve or default_field_resolver)
            arguments: dict[str, Any] | None = {}
            if field_def.args or nodes[0].arguments:
                arguments = None if _uses_variables(nodes[0]) else get_argument_values(field_def, nodes[0])
            non_null = isinstance(field_def.type, GraphQLNonNull)
            project = self._projection(field_def.type, details)
            children: tuple[Step, ...] = ()
            if project is None:
                inner = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
                if isinstance(inner, GraphQLList) or not isinstance(inner, GraphQLObjectType):
                    raise Unsupported(f"{parent.name}.{name}: {field_def.type} without a projection")
                if inner.is_type_of is not None:
                    raise Unsupported(f"{inner.name} has is_type_of")
                collected = self._executor.collect_subfields(inner, details)
                if collected.new_defer_usages:
                    raise Unsupported("@defer")
                children = self._steps(inner, collected.grouped_field_set)
            call = None if arguments is None else self.bind(field_def, resolve, arguments)
            steps.append(Step(key, nodes, field_def, parent, resolve, arguments, non_null, project, children,
                              call=call))
        return tuple(steps)

    async def run(self, context: Any, variables: Bound, outcomes: Outcomes) -> dict[str, Any]:
        """The operation's data; `Failed` if anything went wrong (`outcomes` then says what ran)."""
        walk = _Walk(self, context, variables, outcomes)
        data: Any = walk.fields(self.steps, None, None)
        if not isinstance(data, dict):
            data = await data
        if walk.failed:
            raise Failed
        answer: dict[str, Any] = data
        return answer


class _Walk:
    """One fast run over `Levels`."""

    __slots__ = ("levels", "context", "bound", "coerced", "outcomes", "failed", "settled")

    def __init__(self, levels: Levels, context: Any, bound: Bound, outcomes: Outcomes) -> None:
        self.levels, self.context, self.bound = levels, context, bound
        self.coerced = bound.values.coerced
        self.outcomes = outcomes
        self.failed = False
        self.settled = 0

    def fields(self, steps: tuple[Step, ...], source: Any, path: Path | None) -> Any:
        """The level's dict, or an awaitable of it (graphql-core's `execute_fields`)."""
        results: dict[str, Any] = {}
        waiting: list[str] = []
        for step in steps:
            value = self.field(step, source, Path(path, step.key, step.parent.name))
            results[step.key] = value
            if optimized_is_awaitable(value):
                waiting.append(step.key)
        if not waiting:
            return results
        return self._gather(results, waiting)

    async def _gather(self, results: dict[str, Any], waiting: list[str]) -> dict[str, Any]:
        if len(waiting) == 1:
            results[waiting[0]] = await results[waiting[0]]
        else:
            done = await asyncio.gather(*(results[key] for key in waiting))
            results.update(zip(waiting, done, strict=True))
        return results

    def field(self, step: Step, source: Any, path: Path) -> Any:
        if step.typename is not None:
            return step.typename
        field_def = step.field_def
        assert field_def is not None
        info = ResolveInfo(step.name, step.nodes, field_def.type, step.parent, path, self.levels.schema,
                           self.levels.fragment_definitions, None, self.levels.operation, self.coerced,
                           self.context, optimized_is_awaitable, None, None, NO_EXTENSIONS)
        try:
            call = step.call
            if call is None:
                call = self.bound.calls.get(step)
                if call is None:
                    arguments = get_argument_values(field_def, step.nodes[0], self.bound.values)
                    call = self.bound.calls[step] = self.levels.bind(field_def, step.resolve, arguments)
            result = call(source, info)
        except Exception as error:  # noqa: BLE001 - recorded; graphql-core will report it
            self._record(path, error, raised=True, rank=None)
            return None
        if optimized_is_awaitable(result):
            return self._awaiting(step, path, result)
        self._record(path, result, raised=False, rank=None)
        return self.complete(step, result, path)

    async def _awaiting(self, step: Step, path: Path, awaitable: Awaitable[Any]) -> Any:
        try:
            result = await awaitable
        except Exception as error:  # noqa: BLE001 - recorded; graphql-core will report it
            self._record(path, error, raised=True, rank=self._rank())
            return None
        self._record(path, result, raised=False, rank=self._rank())
        completed = self.complete(step, result, path)
        if optimized_is_awaitable(completed):
            completed = await completed
        return completed

    def complete(self, step: Step, value: Any, path: Path) -> Any:
        if value is None:
            if step.non_null:
                self.failed = True
            return None
        if step.project is not None:
            try:
                return step.project(value)
            except Exception:  # noqa: BLE001 - Bail or worse: graphql-core completes it in the replay
                self.failed = True
                return None
        return self.fields(step.children, value, path)

    def _rank(self) -> int:
        self.settled += 1
        return self.settled - 1

    def _record(self, path: Path, outcome: Any, *, raised: bool, rank: int | None) -> None:
        if raised:
            self.failed = True
        self.outcomes[tuple(path.as_list())] = (outcome, raised, rank)


class Replay:
    """graphql-core's middleware for the run after a failed fast run: recorded outcomes first.

    A resolver the fast run called answers what it answered then, in the same shape (a value, or
    an awaitable of it; the same exception, raised or from the awaitable), so graphql-core sees
    what it would have seen. Awaitables settle in the order they settled in the fast run (a
    `Turnstile`): that order is the upstreams' timing, and it decides the order of the errors
    and which sibling a non-null error cancels, as it would have in a standard run with that
    timing. Fields the fast run did not reach call their resolvers as usual.
    """

    def __init__(self, outcomes: Outcomes, middleware: Any) -> None:
        self.outcomes = outcomes
        self.middleware = middleware
        self.turnstile = Turnstile(sum(1 for *_, rank in outcomes.values() if rank is not None))

    def get_field_resolver(self, resolve: Resolve) -> Resolve:
        actual = self.middleware.get_field_resolver(resolve)
        outcomes, turnstile = self.outcomes, self.turnstile

        def replaying(source: Any, info: Any, **arguments: Any) -> Any:
            found = outcomes.get(tuple(info.path.as_list()))
            if found is None:
                return actual(source, info, **arguments)
            outcome, raised, rank = found
            if rank is not None:
                return turnstile.settle(rank, outcome, raised)
            if raised:
                raise outcome
            return outcome

        return replaying


class Turnstile:
    """Lets recorded awaitables settle one at a time, in their recorded order.

    Rank k settles once ranks below k have. A rank nobody waits for (its field was cancelled,
    or its parent nulled, so graphql-core never asks) is passed over after `PATIENCE` turns of
    the event loop with no waiter for it, so a replay can reorder but never hang.
    """

    PATIENCE = 3

    def __init__(self, total: int) -> None:
        self.total = total
        self.current = 0
        self.waiting: dict[int, asyncio.Future[None]] = {}

    async def settle(self, rank: int, outcome: Any, raised: bool) -> Any:
        if rank != self.current:
            waiter = asyncio.get_running_loop().create_future()
            self.waiting[rank] = waiter
            if rank < self.current:  # passed over already: settle now
                waiter.set_result(None)
            try:
                await waiter
            except asyncio.CancelledError:
                if rank == self.current:  # its turn came, but not its settling: the next one's does
                    self._next()
                raise
            finally:
                self.waiting.pop(rank, None)
        if rank == self.current:
            self._next()
        if raised:
            raise outcome
        return outcome

    def _next(self) -> None:
        self.current += 1
        self._open(self.current, self.PATIENCE)

    def _open(self, rank: int, patience: int) -> None:
        if rank != self.current or rank >= self.total:
            return
        waiter = self.waiting.get(rank)
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(None)
        elif patience > 0:
            asyncio.get_running_loop().call_soon(self._open, rank, patience - 1)
        else:
            self._next()
