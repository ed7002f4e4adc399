"""The caller's selection of one field, as a self-contained GraphQL text to send to an upstream.

Forwarding a field (an upstream answers it exactly as it would answer the caller) needs the field
as the caller wrote it, minus what belongs to the caller's document: fragments are inlined, variables
replaced by their values, and the aliases of fields without arguments dropped (GraphQL merges
same-name fields, so the answer is keyed by field name and read by name; fields with arguments keep
their alias and are read by response key). `rename` maps gateway-only fields to the upstream field
they are computed from (None: not sent).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLScalarType,
    InlineFragmentNode,
    ListValueNode,
    NameNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    SelectionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    ast_from_value,
    print_ast,
    type_from_ast,
)

UNDEFINED = object()


def to_ast(value: Any, type_: Any) -> ValueNode:
    """A coerced value (strawberry input objects and enums included) back as a literal."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return NullValueNode()
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list | tuple) else [value]
        return ListValueNode(values=tuple(to_ast(v, type_.of_type) for v in items))
    if isinstance(type_, GraphQLInputObjectType):
        out = []
        for name, field in type_.fields.items():
            key = field.out_name or name
            if isinstance(value, Mapping):
                item = value.get(key, value.get(name, UNDEFINED))
            else:
                item = getattr(value, key, getattr(value, name, UNDEFINED))
            if item is UNDEFINED or item is None:
                continue
            out.append(ObjectFieldNode(name=NameNode(value=name), value=to_ast(item, field.type)))
        return ObjectValueNode(fields=tuple(out))
    if isinstance(type_, GraphQLEnumType):
        found = type_.serialize(value.value if isinstance(value, Enum) and value not in type_.values else value)
        return ast_from_value(found, type_) or NullValueNode()
    if is_dataclass(value) and not isinstance(value, type):  # defensive: an input object typed loosely
        return to_ast({f.name: getattr(value, f.name) for f in fields(value)}, type_)
    assert isinstance(type_, GraphQLScalarType)
    return ast_from_value(value, type_) or NullValueNode()


class _Printer:
    def __init__(self, info: GraphQLResolveInfo[Any], rename: Mapping[str, str | None]) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = dict(info.fragments)
        self.values: Mapping[str, Any] = info.variable_values  # type: ignore[assignment]
        self.types: dict[str, GraphQLInputType] = {}
        for d in info.operation.variable_definitions or ():
            t = type_from_ast(info.schema, d.type)
            if t is not None:
                self.types[d.variable.name.value] = t  # type: ignore[assignment]
        self.rename = rename

    def value(self, node: ValueNode) -> Any:
        if isinstance(node, VariableNode):
            name = node.name.value
            if name not in self.values:
                return UNDEFINED
            return to_ast(self.values[name], self.types[name])
        if isinstance(node, ObjectValueNode):
            kept = [(f, self.value(f.value)) for f in node.fields]
            return ObjectValueNode(fields=tuple(ObjectFieldNode(name=f.name, value=v)
                                                for f, v in kept if v is not UNDEFINED))
        if isinstance(node, ListValueNode):
            out = [self.value(v) for v in node.values]
            return ListValueNode(values=tuple(NullValueNode() if v is UNDEFINED else v for v in out))
        return node

    def arguments(self, args: Any) -> tuple[ArgumentNode, ...]:
        kept = [(a, self.value(a.value)) for a in args or ()]
        return tuple(ArgumentNode(name=a.name, value=v) for a, v in kept if v is not UNDEFINED)

    def directives(self, nodes: Any) -> tuple[DirectiveNode, ...]:
        return tuple(DirectiveNode(name=d.name, arguments=self.arguments(d.arguments)) for d in nodes or ())

    def selection_set(self, node: SelectionSetNode | None, top: bool = False) -> SelectionSetNode | None:
        if node is None:
            return None
        return SelectionSetNode(selections=tuple(s for sel in node.selections for s in self.selection(sel, top)))

    def required(self, node: SelectionSetNode, top: bool) -> SelectionSetNode:
        found = self.selection_set(node, top)
        assert found is not None
        return found

    def selection(self, sel: SelectionNode, top: bool = False) -> Iterator[SelectionNode]:
        if isinstance(sel, FieldNode):
            name = sel.name.value
            if name == "__typename":
                return
            if top and name in self.rename:
                upstream = self.rename[name]
                if upstream is None:
                    return
                sel = FieldNode(name=NameNode(value=upstream), arguments=(), directives=sel.directives)
            args = self.arguments(sel.arguments)
            yield FieldNode(alias=sel.alias if args else None, name=sel.name, arguments=args,
                            directives=self.directives(sel.directives),
                            selection_set=self.selection_set(sel.selection_set))
        elif isinstance(sel, FragmentSpreadNode):
            frag = self.fragments[sel.name.value]
            yield InlineFragmentNode(type_condition=frag.type_condition, directives=self.directives(sel.directives),
                                     selection_set=self.required(frag.selection_set, top))
        elif isinstance(sel, InlineFragmentNode):
            yield InlineFragmentNode(type_condition=sel.type_condition, directives=self.directives(sel.directives),
                                     selection_set=self.required(sel.selection_set, top))


def field_text(info: GraphQLResolveInfo[Any], rename: Mapping[str, str | None] | None = None) -> str:
    """`name(args) { selection }` of the field being resolved (all its nodes merged), no alias.

    `rename` applies to the fields selected directly under it (a list's rows)."""
    printer = _Printer(info, rename or {})
    first = info.field_nodes[0]
    selections = tuple(s for node in info.field_nodes for s in (node.selection_set.selections
                                                                 if node.selection_set else ()))
    merged = SelectionSetNode(selections=selections) if first.selection_set else None
    node = FieldNode(name=first.name, arguments=printer.arguments(first.arguments),
                     selection_set=printer.selection_set(merged, top=True))
    return print_ast(node).replace("\n", " ")
