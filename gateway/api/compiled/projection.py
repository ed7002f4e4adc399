"""Projection: Python source generated once per selection set, turning mapped objects into plain data.

graphql-core completes every field of every row through `execute_field` → `complete_value` (a
resolve-info tuple, a path node, argument checks, a leaf coercion call): about 6 µs a field.
Here each selection set of a plan becomes one generated function returning a dict literal, so a
row of 15 fields is one call with 15 inline attribute reads and type checks.

The generated code is optimistic. Every leaf takes an exact fast check (`type(v) is int` and in
64-bit range, `type(v) is str`, the enum class, a finite float); anything else goes to the leaf
type's own `coerce_output_value` (the function graphql-core calls), and a value that it refuses,
a null in a non-null position or a non-list for a list makes the projection raise `Bail`. The
caller (run.py) then lets graphql-core complete that value itself, which produces the errors,
paths and null propagation exactly as graphql-core does. So the fast path never has to
reproduce graphql-core's error rules, only to recognise when it would have none.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetails

from gateway.api.compiled.fields import Unsupported, plain_attribute

Project = Callable[[Any], Any]
# collects the subfields of an object type for the field nodes that select it (the executor's own)
SubfieldCollector = Callable[[GraphQLObjectType, list[FieldDetails]], dict[str, list[FieldDetails]]]

INT64 = "-9223372036854775808 <= {v} <= 9223372036854775807"
_FAST: dict[str, str] = {
    "Int": "type({v}) is int and " + INT64,
    "Float": "type({v}) is float and {v} - {v} == 0.0",  # finite: inf - inf and nan - nan are nan
    "String": "type({v}) is str",
    "Boolean": "type({v}) is bool",
    "ID": "type({v}) is str",
}
_BUILTIN = {t.name: t for t in (GraphQLInt, GraphQLFloat, GraphQLString, GraphQLBoolean, GraphQLID)}


class Rows:
    """Projected rows kept by object identity, shared by every projection of the process.

    Mapped objects are immutable once made (gateway/policy/memo.py: the memo shares them between
    operations, which only filter and slice into new lists), and a projection reads only their
    plain attributes, so projecting the same object with the same function always gives the
    same dict. A warm upstream answer hands every request the same row objects: each row is then
    one lookup instead of a dict of fifteen checked fields (measured: the projection was the
    largest single cost of a 100-row leaderboard with the response cache off). Each entry holds
    its object, so an `id` is never reused while its entry lives; the whole table is dropped
    when it reaches `LIMIT` entries, which bounds its memory whatever documents arrive. The
    dicts are shared between answers: nothing downstream may change them (orjson only reads).
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        self.table: dict[int, tuple[Any, Any]] = {}

    def put(self, key: int, source: Any, projected: Any) -> None:
        table = self.table
        if len(table) >= self.LIMIT:
            table.clear()
        table[key] = (source, projected)


ROWS = Rows()
_ROW_KEYS = itertools.count(1)  # one number per generated object function, in the high bits of a key


class Bail(Exception):
    """The fast projection met a value graphql-core would coerce differently or refuse."""


def _bail() -> Any:
    raise Bail


def _slow_leaf(leaf: GraphQLScalarType | GraphQLEnumType) -> Callable[[Any], Any]:
    coerce = leaf.coerce_output_value

    def slow(value: Any) -> Any:
        if value is None:
            raise Bail
        try:
            coerced = coerce(value)
        except Exception as exc:
            raise Bail from exc
        if coerced is None or coerced is Undefined:
            raise Bail
        return coerced

    return slow


class Generator:
    """Writes the projection functions of one plan variant into one module namespace."""

    def __init__(self, collect: SubfieldCollector, strawberry_schema: Any) -> None:
        self._collect = collect
        self._strawberry = strawberry_schema
        self._names = itertools.count()
        self.namespace: dict[str, Any] = {"_bail": _bail, "_id": id, "_rows_get": ROWS.table.get, "_rows_put": ROWS.put}
        self.sources: list[str] = []

    def _name(self, prefix: str, value: Any) -> str:
        name = f"_{prefix}{next(self._names)}"
        self.namespace[name] = value
        return name

    def object_function(self, object_type: GraphQLObjectType, field_details: list[FieldDetails]) -> str:
        """The name of a generated `f(o) -> dict` for this selection set on `object_type`."""
        grouped = self._collect(object_type, field_details)
        entries = []
        for key, details in grouped.items():
            entries.append(f"{key!r}: {self._field(object_type, details)}")
        number = next(self._names)
        name, build = f"_f{number}", f"_g{number}"
        body = ",\n        ".join(entries)
        self.sources.append(f"def {build}(o):\n    return {{\n        {body}\n    }}\n")
        # the same object, projected the same way, gives the same dict: see `Rows`
        self.sources.append(
            f"def {name}(o, _k={next(_ROW_KEYS) << 64}):\n"
            f"    e = _rows_get(_k | _id(o))\n"
            f"    if e is not None and e[0] is o:\n"
            f"        return e[1]\n"
            f"    d = {build}(o)\n"
            f"    _rows_put(_k | _id(o), o, d)\n"
            f"    return d\n")
        return name

    def _field(self, parent: GraphQLObjectType, details: list[FieldDetails]) -> str:
        node = details[0].node
        field_name = node.name.value
        if field_name == "__typename":
            return repr(parent.name)
        if field_name.startswith("__"):
            raise Unsupported(f"introspection field {field_name}")
        field_def = parent.fields[field_name]
        attribute = plain_attribute(self._strawberry, parent, field_name, field_def)
        return self.complete(field_def.type, f"o.{attribute}", details, 0)

    def complete(self, type_: GraphQLOutputType, source: str, details: list[FieldDetails], depth: int) -> str:
        """An expression completing the value of `source` (evaluated once) as graphql-core would."""
        v = f"v{depth}"
        if isinstance(type_, GraphQLNonNull):
            inner = self._body(type_.of_type, v, details, depth)
            return f"({inner} if ({v} := {source}) is not None else _bail())"
        inner = self._body(type_, v, details, depth)
        return f"(None if ({v} := {source}) is None else {inner})"

    def _body(self, type_: GraphQLOutputType, v: str, details: list[FieldDetails], depth: int) -> str:
        if isinstance(type_, GraphQLList):
            x = f"x{depth}"
            item = self.complete(type_.of_type, x, details, depth + 1)
            return f"([{item} for {x} in {v}] if type({v}) is list else _bail())"
        if isinstance(type_, GraphQLObjectType):
            if type_.is_type_of is not None:
                raise Unsupported(f"{type_.name} has is_type_of")
            return f"{self.object_function(type_, details)}({v})"
        if isinstance(type_, GraphQLEnumType):
            return self._enum(type_, v)
        if isinstance(type_, GraphQLScalarType):
            slow = self._name("s", _slow_leaf(type_))
            fast = _FAST.get(type_.name) if _BUILTIN.get(type_.name) is type_ else None
            if fast is None and type_.name in ("Time",):  # strawberry scalars passing strings through
                fast = "type({v}) is str"
            if fast is None:
                return f"{slow}({v})"
            return f"({v} if {fast.format(v=v)} else {slow}({v}))"
        raise Unsupported(f"abstract type {type_}")

    def _enum(self, type_: GraphQLEnumType, v: str) -> str:
        slow = self._name("s", _slow_leaf(type_))
        wrapped = getattr(type_, "wrapped_cls", None)
        if not (isinstance(wrapped, type) and issubclass(wrapped, enum.Enum)):
            return f"{slow}({v})"
        names: dict[Any, str] = {}
        for member in wrapped:
            names[member] = type_.coerce_output_value(member)
        table = self._name("e", names)
        cls = self._name("c", wrapped)
        return f"({table}[{v}] if type({v}) is {cls} else {slow}({v}))"

    def build(self) -> dict[str, Any]:
        """Compile the generated source; returns the namespace holding the functions."""
        source = "\n".join(self.sources)
        code = compile(source, "<gateway.api.compiled projection>", "exec")
        exec(code, self.namespace)  # noqa: S102 - source generated above from the schema, no input text
        return self.namespace
