"""A compiled operation: its resolved levels and the generated projections below them.

An operation's selection tree splits in two. The top levels select fields that run resolvers
(`perp`, then `perp.trades`, `perp.leaderboard`, …): these are *resolved levels*, executed
field by field through graphql-core's own resolve functions (run.py). Below a resolver's value
every field is a plain attribute of a mapped object: that subtree is *projected* by one
generated function per selection set (projection.py).

Field collection (fragments, type conditions, `@include`/`@skip`, merging of same-named fields)
is graphql-core's `collect_fields`/`collect_subfields`, run once per *variant*: the values of the
variables that `@include`/`@skip` read. A document without such variables has one variant, built
on its first request; every later request only runs resolvers and projections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    Visitor,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields
from graphql.execution.executor import Executor
from graphql.language import VariableNode

from gateway.compiled.fields import Unsupported, has_resolvers
from gateway.compiled.projection import Generator

ALLOWED_DIRECTIVES = frozenset({"include", "skip"})


@dataclass
class Entry:
    """One response key of a resolved level."""

    key: str
    details: list[FieldDetails]
    typename: str | None = None  # `__typename`: a constant
    field_def: GraphQLField | None = None
    child: Level | None = None  # the value is the source of another resolved level
    project: Callable[[Any], Any] | None = None  # completes the resolver's value


@dataclass
class Level:
    type: GraphQLObjectType
    entries: list[Entry] = field(default_factory=list)


class _DirectiveVariables(Visitor):
    """Collects the variables `@include`/`@skip` read; refuses any other directive."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        if node.name.value not in ALLOWED_DIRECTIVES:
            raise Unsupported(f"directive @{node.name.value}")
        for argument in node.arguments:
            if isinstance(argument.value, VariableNode):
                self.names.add(argument.value.name.value)
            elif not isinstance(argument.value, BooleanValueNode):
                raise Unsupported("directive argument")


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    finder = _DirectiveVariables()
    visit(document, finder)
    return tuple(sorted(finder.names))


class Variant:
    """The plan for one set of `@include`/`@skip` values."""

    def __init__(self, executor: Executor, strawberry_schema: Any) -> None:
        self._executor = executor
        self._generator = Generator(self._subfields, strawberry_schema)
        operation: OperationDefinitionNode = executor.operation
        root_type = executor.schema.get_root_type(operation.operation)
        if root_type is None:
            raise Unsupported("no root type")
        collected = collect_fields(executor.schema, executor.fragments, executor.variable_values,
                                   root_type, operation)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        self._pending: list[tuple[Entry, str]] = []
        self.root = self._level(root_type, dict(collected.grouped_field_set))
        namespace = self._generator.build()
        for entry, name in self._pending:
            entry.project = namespace[name]

    def _subfields(self, object_type: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
        collected = self._executor.collect_subfields(object_type, details)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        for group in collected.grouped_field_set.values():
            if any(d.fragment_variable_values is not None or d.defer_usage is not None for d in group):
                raise Unsupported("fragment variables or @defer")
        return dict(collected.grouped_field_set)

    def _level(self, object_type: GraphQLObjectType, grouped: dict[str, list[FieldDetails]]) -> Level:
        level = Level(object_type)
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == "__typename":
                level.entries.append(Entry(key, details, typename=object_type.name))
                continue
            if name.startswith("__"):
                raise Unsupported(f"introspection field {name}")
            field_def = object_type.fields.get(name)
            if field_def is None:
                raise Unsupported(f"unknown field {name}")
            entry = Entry(key, details, field_def=field_def)
            named = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
            if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
                sub = self._subfields(named, details)
                if has_resolvers(named, [d[0].node.name.value for d in sub.values()]):
                    entry.child = self._level(named, sub)
            if entry.child is None:
                function = f"_r_{len(self._pending)}"
                expression = self._generator.complete(field_def.type, "r", details, 0)
                self._generator.sources.append(f"def {function}(r):\n    return {expression}\n")
                self._pending.append((entry, function))
            level.entries.append(entry)
        return level


class Plan:
    """A validated operation of a parsed document, compiled lazily per directive variant."""

    def __init__(self, document: DocumentNode, operation: OperationDefinitionNode, strawberry_schema: Any) -> None:
        if operation.operation is not OperationType.QUERY:
            raise Unsupported(f"{operation.operation.value} operation")
        self.document = document
        self.operation = operation
        self.operation_name = operation.name.value if operation.name else None
        self.directive_variables = directive_variables(document)
        self._strawberry = strawberry_schema
        self._variants: dict[tuple[Any, ...], Variant | None] = {}

    def variant(self, executor: Executor) -> Variant | None:
        """The variant for this request's coerced variables; None if it cannot be compiled."""
        coerced = executor.variable_values.coerced
        key = tuple(coerced.get(name) for name in self.directive_variables)
        if key in self._variants:
            return self._variants[key]
        try:
            built: Variant | None = Variant(executor, self._strawberry)
        except Unsupported:
            built = None
        if len(self._variants) < 64:  # at most 2^6 combinations of booleans are worth keeping
            self._variants[key] = built
        return built
