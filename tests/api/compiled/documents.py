"""Hypothesis strategies for documents and variables drawn from the gateway's schema.

hypothesis-graphql draws any valid document, with random literal arguments: good at reaching
odd corners, but nearly every `trader` it invents is refused, so answers are mostly errors. The
strategy here draws documents shaped like real ones: arguments from pools of sandbox traders
(every venue), limits and ids (some refused), enums; arguments sometimes passed as variables;
aliases, repeated fields, inline fragments with and without type conditions, named fragments,
`@include`/`@skip` on literals and on variables, and `__typename` anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)
from hypothesis import strategies as st

INTS = [0, 1, 2, 3, 5, 20, -1, 7, 1_000_000, 2**40]
DATES = ["2026-11-01", "2026-11-20", "2030-01-01", "2026-12-01"]
BAD_TRADERS = ["bad", "", "0x12", "nibi1qqq"]


@dataclass
class Draft:
    """A document being written: its variables (definitions and values) and fragments."""

    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)

    def variable(self, type_text: str, value: Any) -> str:
        name = f"v{len(self.variables)}"
        self.variables[name] = (type_text, value)
        return f"${name}"

    def text(self, body: str) -> tuple[str, dict[str, Any]]:
        definitions = ", ".join(f"${n}: {t}" for n, (t, _) in self.variables.items())
        head = f"query Q({definitions}) " if definitions else "query Q "
        values = {n: v for n, (_, v) in self.variables.items()}
        return head + body + "".join("\n" + f for f in self.fragments), values


def _literal(draw: st.DrawFn, type_: GraphQLInputType, name: str, traders: list[str]) -> tuple[str, Any]:
    """(GraphQL literal, JSON value) for an input value of `type_`."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(draw, type_.of_type, name, traders)
    if isinstance(type_, GraphQLList):
        items = [_literal(draw, type_.of_type, name, traders) for _ in range(draw(st.integers(0, 3)))]
        return "[" + ", ".join(i[0] for i in items) + "]", [i[1] for i in items]
    if isinstance(type_, GraphQLEnumType):
        value = draw(st.sampled_from(sorted(type_.values)))
        return value, value
    if isinstance(type_, GraphQLInputObjectType):
        parts, values = [], {}
        for field_name, field_def in type_.fields.items():
            if isinstance(field_def.type, GraphQLNonNull) or draw(st.integers(0, 3)) == 0:
                literal, value = _literal(draw, field_def.type, field_name, traders)
                parts.append(f"{field_name}: {literal}")
                values[field_name] = value
        return "{" + ", ".join(parts) + "}", values
    assert isinstance(type_, GraphQLScalarType)
    if type_.name == "String":
        value = draw(st.sampled_from(traders + BAD_TRADERS if name == "trader" else ["BTC", "SOL", "kPEPE", " "]))
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', value
    if type_.name == "Int":
        number = draw(st.sampled_from(INTS))
        return str(number), number
    if type_.name == "Boolean":
        flag = draw(st.booleans())
        return str(flag).lower(), flag
    if type_.name == "Float":
        number = draw(st.sampled_from([0.0, 10.5, 1000.0]))
        return str(number), number
    if type_.name == "Date":
        day = draw(st.sampled_from(DATES))
        return f'"{day}"', day
    return '"x"', "x"


def _arguments(draw: st.DrawFn, draft: Draft, field_def: Any, traders: list[str]) -> str:
    parts = []
    for arg_name, arg in field_def.args.items():
        required = isinstance(arg.type, GraphQLNonNull)
        if not required and draw(st.integers(0, 2)) == 0:
            continue
        literal, value = _literal(draw, arg.type, arg_name, traders)
        if draw(st.integers(0, 3)) == 0:  # as a variable, sometimes of a wrong value
            if draw(st.integers(0, 15)) == 0:
                value = "not-a-value" if not isinstance(value, str) else 12
            literal = draft.variable(str(arg.type), value)
        parts.append(f"{arg_name}: {literal}")
    return f"({', '.join(parts)})" if parts else ""


def _directive(draw: st.DrawFn, draft: Draft) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return f" @include(if: {draft.variable('Boolean!', draw(st.booleans()))})"
    if kind == 1:
        return f" @skip(if: {str(draw(st.booleans())).lower()})"
    return ""


def selection(draw: st.DrawFn, draft: Draft, type_: GraphQLObjectType, traders: list[str], depth: int) -> str:
    names = sorted(type_.fields)
    chosen = draw(st.lists(st.sampled_from(names + ["__typename"]), min_size=1, max_size=4 if depth < 2 else 3))
    parts = []
    for index, name in enumerate(chosen):
        alias = f"a{index}: " if index and (name in chosen[:index] or draw(st.integers(0, 5)) == 0) else ""
        if not alias and name in chosen[:index]:
            continue
        if name == "__typename":
            parts.append(alias + name + _directive(draw, draft))
            continue
        field_def = type_.fields[name]
        named = field_def.type
        while isinstance(named, GraphQLNonNull | GraphQLList):
            named = named.of_type
        text = alias + name + _arguments(draw, draft, field_def, traders) + _directive(draw, draft)
        if isinstance(named, GraphQLObjectType):
            if depth > 2:
                text += " { __typename }"
            else:
                text += " { " + selection(draw, draft, named, traders, depth + 1) + " }"
        wrap = draw(st.integers(0, 11))
        if wrap == 0:
            text = f"... on {type_.name} {{ {text} }}"
        elif wrap == 1:
            text = f"...{_directive(draw, draft)} {{ {text} }}"
        elif wrap == 2:
            fragment = f"F{len(draft.fragments)}"
            draft.fragments.append(f"fragment {fragment} on {type_.name} {{ {text} }}")
            text = f"...{fragment}"
        parts.append(text)
    return " ".join(parts) or "__typename"


@st.composite
def documents(draw: st.DrawFn, schema: GraphQLSchema, traders: list[str]) -> tuple[str, dict[str, Any]]:
    """(document text, variables) of one query operation named Q."""
    draft = Draft()
    query = schema.query_type
    assert query is not None
    body = "{ " + selection(draw, draft, query, traders, 0) + " }"
    return draft.text(body)
