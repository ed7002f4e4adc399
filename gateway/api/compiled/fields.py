"""What the compiler may assume about a schema field: a plain attribute, or a resolver to call.

Strawberry gives a field with no resolver and no field extensions a resolve function marked
`_is_default` that reads `getattr(source, python_name)` (its config's default resolver). Such a
field can be read inline by generated code. Every other field is a resolver: the compiled path
calls it through the very `resolve` graphql-core would call (strawberry's wrapper converts the
arguments to inputs and enums and builds `info`), so it runs the same resolver functions with the
same context. Anything the compiler does not know how to run raises `Unsupported`, and the
operation goes to the standard executor instead.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLField, GraphQLObjectType


class Unsupported(Exception):
    """The operation uses something the compiled path does not run; the standard executor will."""


def is_plain(field_def: GraphQLField) -> bool:
    return field_def.resolve is not None and getattr(field_def.resolve, "_is_default", False) is True


def plain_attribute(strawberry_schema: Any, parent: GraphQLObjectType, field_name: str,
                    field_def: GraphQLField) -> str:
    """The Python attribute behind a plain field, or `Unsupported` for a resolver field."""
    if not is_plain(field_def):
        raise Unsupported(f"{parent.name}.{field_name} has a resolver below the resolved levels")
    if strawberry_schema.config.default_resolver is not getattr:
        raise Unsupported("a custom default resolver")
    found = strawberry_schema.get_field_for_type(field_name, parent.name)
    if found is None or not found.python_name.isidentifier():
        raise Unsupported(f"{parent.name}.{field_name} has no Python attribute")
    name: str = found.python_name
    return name
