"""The figures of a validated document, per operation, computed in one walk of its AST.

- depth: nesting of field selections (a root field is 1), fragments expanded.
- aliases: aliased field selections, fragments counted once per use.
- rootFields: root field selections.
- cost: the upstream work, `Σ keys × rows` over the distinct upstream calls an operation makes.
  A call is identified by its parent type, field and printed arguments, so identical aliases
  (same field, same arguments) count once, as the DataLoaders and single-flight dedupe them.
  `rows` is the call's `limit` (its default when absent); a `limit: $n` is kept as a term and
  resolved per request, when the variables are known (`OperationFigures.cost_with`).
- fields: the result fields execution would produce at most (rows multiply their selections);
  identical aliases do not dedupe here: each is executed and serialized.

Fragment figures are memoized per fragment, so a fragment spread many times (or a chain of
fragments each spreading the next twice) costs one visit per fragment, not per expansion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    print_ast,
)

INTROSPECTION = frozenset({"__schema", "__type"})


class CostModel(Protocol):
    """What the API layer knows: which fields call an upstream, how many, and their page sizes."""

    @property
    def default_limit(self) -> int:
        """Rows of a list call without `limit`."""

    @property
    def max_limit(self) -> int:
        """The largest `limit` a call accepts (a `limit: $n` counts as this in `fields`)."""

    @property
    def introspection_cost(self) -> int:
        """Cost of one `__schema` (its answer is large, and never deduped)."""

    def upstream_keys(self, parent: str, field_name: str, arguments: Mapping[str, ValueNode]) -> int:
        """How many upstream keys the field reaches (0: it reads no upstream)."""


@dataclass(frozen=True, slots=True)
class Rows:
    """A call's row count: a constant, or a variable resolved per request (with its fallback)."""

    constant: int
    variable: str | None = None
    cap: int | None = None  # a larger limit is refused by the paging check itself, before any call

    def value(self, variables: Mapping[str, Any] | None) -> int:
        if self.variable is not None and variables is not None:
            given = variables.get(self.variable)
            if isinstance(given, int) and not isinstance(given, bool):
                return max(0, given if self.cap is None else min(given, self.cap))
        return self.constant


@dataclass(frozen=True, slots=True)
class Call:
    """One distinct upstream call: identity (for dedupe), keys reached, rows returned."""

    identity: str
    keys: int
    rows: Rows


@dataclass
class _Walk:
    depth: int = 0
    aliases: int = 0
    fields: int = 0
    introspection: int = 0
    calls: dict[str, Call] = field(default_factory=dict)


@dataclass(frozen=True)
class OperationFigures:
    """What the limits compare, for one operation of a document."""

    depth: int
    aliases: int
    root_fields: int
    fields: int
    introspection: int  # `__schema`/`__type` selections
    static_cost: int  # the part that does not depend on variables
    variable_calls: tuple[Call, ...]  # calls whose rows come from a variable

    def cost_with(self, variables: Mapping[str, Any] | None) -> int:
        """The operation's cost once its variables are known (cheap: one term per variable call)."""
        return self.static_cost + sum(c.keys * c.rows.value(variables) for c in self.variable_calls)


class _Analyzer:
    def __init__(self, schema: GraphQLSchema, model: CostModel,
                 fragments: Mapping[str, FragmentDefinitionNode], variable_defaults: Mapping[str, int]) -> None:
        self.schema, self.model, self.fragments = schema, model, fragments
        self.variable_defaults = variable_defaults
        self.memo: dict[str, _Walk] = {}

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> _Walk:
        out = _Walk()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, out)
            elif isinstance(selection, InlineFragmentNode):
                cond = selection.type_condition
                typ = self.schema.get_type(cond.name.value) if cond else parent
                self._merge(out, self.selections(selection.selection_set, typ), 1)
            elif isinstance(selection, FragmentSpreadNode):
                self._merge(out, self._fragment(selection.name.value), 1)
        return out

    def _fragment(self, name: str) -> _Walk:
        known = self.memo.get(name)
        if known is None:
            self.memo[name] = _Walk()  # a cycle (invalid, but be safe) contributes nothing
            fragment = self.fragments[name]
            known = self.selections(fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value))
            self.memo[name] = known
        return known

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None, out: _Walk) -> None:
        name = node.name.value
        out.aliases += node.alias is not None
        out.fields += 1
        out.depth = max(out.depth, 1)
        if name in INTROSPECTION:
            out.introspection += 1
        definition: GraphQLField | None = None
        if isinstance(parent, GraphQLObjectType):
            definition = parent.fields.get(name)
        elif name == "__schema":
            definition = None
        if name == "__schema" or definition is None:
            child_type = None
            if name == "__schema":
                child_type = self.schema.get_type("__Schema")
            elif name == "__type":
                child_type = self.schema.get_type("__Type")
            if node.selection_set is not None:
                self._merge(out, self.selections(node.selection_set, child_type), 1, nested=True)
            return
        rows = Rows(1)
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        if _is_list(definition.type):
            rows = self._rows(arguments)
        keys = self.model.upstream_keys(parent.name if parent else "", name, arguments)
        if keys > 0:
            printed = ",".join(sorted(f"{k}:{print_ast(v)}" for k, v in arguments.items()))
            identity = f"{parent.name if parent else ''}.{name}({printed})"
            out.calls.setdefault(identity, Call(identity, keys, rows))
        if node.selection_set is not None:
            per_row = rows.constant if rows.variable is None else self.model.max_limit
            self._merge(out, self.selections(node.selection_set, get_named_type(definition.type)),
                        max(1, per_row), nested=True)

    def _rows(self, arguments: Mapping[str, ValueNode]) -> Rows:
        limit = arguments.get("limit")
        cap = self.model.max_limit
        if isinstance(limit, IntValueNode):
            return Rows(max(0, min(int(limit.value), cap)))
        if isinstance(limit, VariableNode):
            variable = limit.name.value
            return Rows(min(self.variable_defaults.get(variable, self.model.default_limit), cap), variable, cap)
        return Rows(self.model.default_limit)

    @staticmethod
    def _merge(out: _Walk, inner: _Walk, multiplier: int, *, nested: bool = False) -> None:
        out.depth = max(out.depth, inner.depth + (1 if nested else 0))
        out.aliases += inner.aliases
        out.fields += inner.fields * multiplier
        out.introspection += inner.introspection
        for identity, call in inner.calls.items():
            out.calls.setdefault(identity, call)


def _is_list(typ: Any) -> bool:
    while isinstance(typ, GraphQLNonNull):
        typ = typ.of_type
    return isinstance(typ, GraphQLList)


def analyze(schema: GraphQLSchema, operations: list[OperationDefinitionNode],
            fragments: Mapping[str, FragmentDefinitionNode], model: CostModel) -> dict[str | None, OperationFigures]:
    """Figures of each operation of a validated document, by operation name (None: anonymous)."""
    out: dict[str | None, OperationFigures] = {}
    for operation in operations:
        defaults = {
            d.variable.name.value: max(0, int(d.default_value.value))
            for d in operation.variable_definitions or ()
            if isinstance(d.default_value, IntValueNode)
        }
        root = schema.get_root_type(operation.operation)
        walk = _Analyzer(schema, model, fragments, defaults).selections(operation.selection_set, root)
        static = sum(c.keys * c.rows.constant for c in walk.calls.values() if c.rows.variable is None)
        variable = tuple(c for c in walk.calls.values() if c.rows.variable is not None)
        root_fields = sum(1 for s in operation.selection_set.selections if isinstance(s, FieldNode))
        out[operation.name.value if operation.name else None] = OperationFigures(
            depth=walk.depth, aliases=walk.aliases, root_fields=root_fields, fields=walk.fields,
            introspection=walk.introspection,
            static_cost=static + walk.introspection * model.introspection_cost,
            variable_calls=variable,
        )
    return out
