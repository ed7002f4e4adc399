"""A compiled operation: its parsed document and the projections generated for its selections.

An operation's selection tree splits in two. The top levels select fields that run resolvers
(`perp`, then `perp.trades`, `perp.leaderboard`, …); graphql-core executes those as always
(run.py), so resolvers run in the same tasks, in the same order, with the same `info`. Below a
resolver's value every field is a plain attribute of a mapped object: that subtree is
*projected* by functions generated once (projection.py) and cached here.

A projection is keyed by the field nodes that select the value (nodes of the cached document,
so their identity is stable), the type completed, and the *variant*: the values of the variables
that `@include`/`@skip` read, which decide which fields graphql-core's field collection keeps.
A document without such variables has one variant. Field collection itself (fragments, type
conditions, directives, merging of same-named fields) is graphql-core's `collect_subfields`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FieldDetails
from graphql.execution.executor import Executor
from graphql.language import VariableNode

from gateway.api.compiled.fields import Unsupported
from gateway.api.compiled.projection import Generator

ALLOWED_DIRECTIVES = frozenset({"include", "skip"})
MAX_PROJECTIONS = 512  # per document: more would mean unbounded variants

Project = Callable[[Any], Any]
ProjectionKey = tuple[tuple[Any, ...], str, tuple[int, ...]]


class _DirectiveVariables(Visitor):
    """Collects the variables `@include`/`@skip` read; refuses any other directive (@defer…)."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        if node.name.value not in ALLOWED_DIRECTIVES:
            raise Unsupported(f"directive @{node.name.value}")
        for argument in node.arguments or ():
            if isinstance(argument.value, VariableNode):
                self.names.add(argument.value.name.value)
            elif not isinstance(argument.value, BooleanValueNode):
                raise Unsupported("directive argument")


class Plan:
    """A validated query operation of a parsed document, with its projections."""

    def __init__(self, document: DocumentNode, operation: OperationDefinitionNode, strawberry_schema: Any,
                 *, events: bool = False) -> None:
        allowed = (OperationType.QUERY, OperationType.SUBSCRIPTION) if events else (OperationType.QUERY,)
        # mutations run serially; a subscription is planned only for its events (events.py)
        if operation.operation not in allowed:
            raise Unsupported(f"{operation.operation.value} operation")
        finder = _DirectiveVariables()
        visit(document, finder)
        self.directive_variables = tuple(sorted(finder.names))
        self.document = document
        self.operation = operation
        self.operation_name = operation.name.value if operation.name else None
        self._strawberry = strawberry_schema
        self._projections: dict[ProjectionKey, Project | None] = {}
        self.levels: dict[tuple[Any, ...], Any] = {}  # variant -> its `Levels`, or None: graphql-core runs them
        self.bound: dict[Any, Any] = {}  # variable values (frozen) -> their `levels.Bound`
        self.figures: Any = None  # the document's request-limit figures (gateway/limits), when limited

    def variant_of(self, coerced: dict[str, Any]) -> tuple[Any, ...]:
        """The values of the variables `@include`/`@skip` read, from the coerced variables."""
        return tuple(coerced.get(name) for name in self.directive_variables)

    def projection(self, executor: Executor[Any], variant: tuple[Any, ...], type_: GraphQLOutputType,
                   details: list[FieldDetails]) -> Project | None:
        """The projection completing values of `type_` selected by `details`; None: graphql-core's."""
        key = (variant, str(type_), tuple(id(d.node) for d in details))
        found = self._projections.get(key, False)
        if found is not False:
            return found  # type: ignore[return-value]
        project = self._generate(executor, type_, details)
        if len(self._projections) < MAX_PROJECTIONS:
            self._projections[key] = project
        return project

    def _generate(self, executor: Executor[Any], type_: GraphQLOutputType, details: list[FieldDetails]) -> Project | None:
        def subfields(object_type: GraphQLObjectType, nodes: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
            collected = executor.collect_subfields(object_type, nodes)
            if collected.new_defer_usages:
                raise Unsupported("@defer")
            for group in collected.grouped_field_set.values():
                if any(d.fragment_variable_values is not None or d.defer_usage is not None for d in group):
                    raise Unsupported("fragment variables or @defer")
            return dict(collected.grouped_field_set)

        generator = Generator(subfields, self._strawberry)
        try:
            expression = generator.complete(type_, "r", details, 0)
        except Unsupported:
            return None
        generator.sources.append(f"def project(r):\n    return {expression}\n")
        function: Project = generator.build()["project"]
        return function
