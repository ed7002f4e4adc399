"""The compiled execution path: plans cached by document, run with the operation's bookkeeping.

`CompiledExecutor.execute` answers a query as response bytes, or returns None: then the caller
runs the standard path (Strawberry's `schema.execute`), which answers everything the compiled
path leaves alone: documents that do not parse or validate, mutations and subscriptions,
`@defer`/`@stream`, variables that do not coerce (so their errors are Strawberry's).

Plans are cached by (document text, operation name), with the parsed document: a document seen
before costs neither a parse nor a validation. A plan's resolver levels run without graphql-core
(levels.py) while nothing goes wrong; when something does, graphql-core answers (run.py),
replaying what the resolvers already answered. A plan whose levels `Levels` cannot run (an
abstract type, a list of objects with resolvers) is run by graphql-core throughout.

What Strawberry's extensions do around an execution is done here by the same functions
(gateway/api/extensions): the operation record (upstream TTLs, stale notes, the response cache's
`collecting()`), a fresh set of DataLoaders, the error mapping with partial errors (and the
request id), and what the request's record and trace learn of the operation (its name, its
span). A schema with any other extension is not compiled at all, so adding one cannot be
silently skipped by this path.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections import OrderedDict
from typing import Any, cast

import orjson
import strawberry
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLSyntaxError,
    get_operation_ast,
    parse,
    specified_rules,
)
from graphql.execution.values import get_variable_values
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import validate_document
from strawberry.types.graphql import OperationType

from gateway.api import loaders
from gateway.api.compiled.fields import Unsupported
from gateway.api.compiled.levels import Bound, Failed, Levels, Outcomes, Replay
from gateway.api.compiled.plan import Plan
from gateway.api.compiled.resolvers import DirectResolvers, frozen
from gateway.api.compiled.run import ProjectingExecutor, run
from gateway.api.extensions import observe
from gateway.api.extensions.errors import ErrorMapping, mapped_errors
from gateway.api.extensions.loaders import LoadersPerOperation
from gateway.api.extensions.observe import ObserveOperation
from gateway.api.extensions.operation_record import OperationRecord, note, stale_extensions
from gateway.limits.documents import DocumentEntry
from gateway.limits.extension import DocumentLimits, Limits
from gateway.limits.figures import analyze
from gateway.limits.tokens import more_tokens_than
from gateway.policy import operation

KNOWN_EXTENSIONS = (OperationRecord, ObserveOperation, LoadersPerOperation, ErrorMapping)
PLAN_CACHE_SIZE = 1000
BOUND_PER_PLAN = 256  # variable value sets a plan keeps coerced
MAX_VARIANTS = 64  # `@include`/`@skip` value combinations a plan keeps levels for
MISSING = object()


def document_limits(schema: strawberry.Schema) -> functools.partial[Any] | None:
    """The schema's `DocumentLimits` factory (gateway/limits), whose limits this path applies too."""
    return next((e for e in schema.extensions
                 if isinstance(e, functools.partial) and e.func is DocumentLimits), None)


def compilable(schema: strawberry.Schema) -> bool:
    """Whether every extension of `schema` is one this path reproduces."""
    return all(extension in KNOWN_EXTENSIONS or extension is document_limits(schema)
               for extension in schema.extensions)


class CompiledExecutor:
    def __init__(self, schema: strawberry.Schema, *, enabled: bool = True) -> None:
        self.schema = schema
        self.enabled = enabled and compilable(schema)
        self._graphql_schema = schema._schema
        factory = document_limits(schema)
        # (limits, cost model): the same figures and refusals as the DocumentLimits extension; a
        # document over a limit goes to Strawberry, whose extension answers QUERY_TOO_COMPLEX
        self._limits: tuple[Limits, Any] | None = (factory.args[0], factory.args[2]) if factory else None
        self._direct = DirectResolvers(schema)
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        # counters for tests and benchmarks: answers, declined documents, answers from `Levels` alone,
        # and answers graphql-core gave after a fast run failed
        self.compiled = self.fallbacks = self.fast = self.replays = 0

    def plan(self, query: str, operation_name: str | None) -> Plan | None:
        """The cached plan for a document, compiling it on first sight; None: standard path."""
        key = (query, operation_name)
        plans = self._plans
        if key in plans:
            plans.move_to_end(key)
            return plans[key]
        plan = self._compile(query, operation_name) if self.enabled else None
        plans[key] = plan
        if len(plans) > PLAN_CACHE_SIZE:
            plans.popitem(last=False)
        return plan

    def _compile(self, query: str, operation_name: str | None) -> Plan | None:
        limits = self._limits
        if limits is not None and more_tokens_than(query, limits[0].max_tokens):
            return None
        try:
            document = parse(query, max_tokens=limits[0].max_tokens if limits is not None else None)
        except GraphQLSyntaxError:
            return None
        if validate_document(self._graphql_schema, document, tuple(specified_rules)):
            return None
        found = get_operation_ast(document, operation_name)
        if found is None:
            return None
        try:
            plan = Plan(document, found, self.schema)
        except Unsupported:
            return None
        if limits is not None:
            entry = DocumentEntry.of(document)
            figures = analyze(self._graphql_schema, entry.operations, entry.fragments, limits[1])
            plan.figures = figures.get(plan.operation_name)
            if plan.figures is None:
                return None
        return plan

    def _build(self, plan: Plan, context: Any, variables: dict[str, Any] | None,
               middleware: Any = None) -> ProjectingExecutor | list[Any]:
        built = ProjectingExecutor.build(
            self._graphql_schema, plan.document, None, context, variables, plan.operation_name,
            is_awaitable=cast(Any, optimized_is_awaitable), operation_extensions=None, plan=plan,
        )
        if isinstance(built, list):
            return built
        # resolvers without re-converting their arguments (duck-typed middleware)
        built.middleware_manager = cast(Any, middleware or self._direct)
        return cast(ProjectingExecutor, built)

    def _bind(self, plan: Plan, variables: dict[str, Any] | None) -> Bound | None:
        """The request's coerced variables, kept per plan for values that repeat; None: they do not coerce."""
        try:
            key: Any = frozen(variables or {})
        except TypeError:  # not worth keeping (long, many values, unhashable)
            key = None
        bound: Bound | None = plan.bound.get(key) if key is not None else None
        if bound is None:
            coerced = get_variable_values(self._graphql_schema, plan.operation.variable_definitions or (),
                                          variables or {})
            if isinstance(coerced, list):
                return None
            bound = Bound(coerced)
            if key is not None:
                if len(plan.bound) >= BOUND_PER_PLAN:
                    plan.bound.clear()
                plan.bound[key] = bound
        return bound

    def _levels(self, plan: Plan, variant: tuple[Any, ...], executor: ProjectingExecutor) -> Levels | None:
        """The plan's resolver levels for this variant, collected with a first request's executor."""
        def projection(type_: Any, details: Any) -> Any:
            return plan.projection(executor, variant, type_, details)

        try:
            levels: Levels | None = Levels(executor, projection, self._direct)
        except (Unsupported, GraphQLError):  # a literal argument that does not coerce: graphql-core reports it
            levels = None
        if len(plan.levels) < MAX_VARIANTS:
            plan.levels[variant] = levels
        return levels

    async def execute(self, query: str, variables: dict[str, Any] | None, operation_name: str | None,
                      context: Any) -> bytes | None:
        """The response body for this request, or None when the standard path must answer."""
        plan = self.plan(query, operation_name)
        if plan is None:
            self.fallbacks += 1
            return None
        if self._limits is not None and self._limits[0].refusal(plan.figures, variables) is not None:
            self.fallbacks += 1  # over a limit for these variables: Strawberry's extension refuses it
            return None
        bound = self._bind(plan, variables)
        if bound is None:  # variables that do not coerce: Strawberry reports them
            self.fallbacks += 1
            return None
        variant = plan.variant_of(bound.values.coerced)
        levels = plan.levels.get(variant, MISSING)
        executor: ProjectingExecutor | None = None
        if levels is MISSING:
            built = self._build(plan, context, variables)
            if isinstance(built, list):
                self.fallbacks += 1
                return None
            executor = built
            levels = self._levels(plan, variant, executor)
        stats, token = operation.begin()
        note(stats)
        observe.note(plan.operation_name, OperationType.QUERY)  # plans are made for queries only
        loaders_token = loaders.begin()
        try:
            with observe.execution_span(plan.operation_name, OperationType.QUERY) as span:
                result = await self._run(plan, levels, executor, context, variables, bound)
                observe.result_errors(span, result.errors)
        finally:
            with contextlib.suppress(ValueError):
                loaders.end(loaders_token)
            with contextlib.suppress(ValueError):
                operation.end(token)
        self.compiled += 1
        return encode(result, context, stale_extensions(stats))

    async def _run(self, plan: Plan, levels: Levels | None, executor: ProjectingExecutor | None, context: Any,
                   variables: dict[str, Any] | None, bound: Bound) -> ExecutionResult:
        """Fast over `levels` when they exist and nothing goes wrong; else graphql-core, replaying."""
        middleware = None
        if levels is not None:
            outcomes: Outcomes = {}
            try:
                data = await levels.run(context, bound, outcomes)
            except Failed:
                self.replays += 1
                middleware = Replay(outcomes, self._direct)
                executor = None
            else:
                self.fast += 1
                return ExecutionResult(data, None)
        if executor is None:
            built = self._build(plan, context, variables, middleware)
            assert not isinstance(built, list)  # the same variables coerced above
            executor = built
        return await run(executor)


def encode(result: ExecutionResult, context: Any, extensions: dict[str, Any]) -> bytes:
    """The response body as Strawberry shapes it: data, then errors, then extensions."""
    errors: list[GraphQLError] | None = mapped_errors(result.errors, context)
    body: dict[str, Any] = {"data": result.data}
    if errors:
        body["errors"] = [error.formatted for error in errors]
    if extensions:
        body["extensions"] = extensions
    try:
        return orjson.dumps(body)
    except (orjson.JSONEncodeError, TypeError):  # e.g. a lone surrogate in a string: json copes
        return json.dumps(body, separators=(",", ":")).encode()
