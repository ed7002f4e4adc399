"""Scalars as gqlgen binds them: `Int` is Go's 64-bit int, `Time` is RFC 3339 with nanoseconds.

graphql-core's built-in Int refuses anything beyond 32 bits, but Sai Keeper's amounts are
integer micro-units (a $2,377,788.35 collateral is 2377788350000), so the schema gets its own
scalar *named* `Int` (see schema.py) that accepts and emits the whole int64 range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLNamedType,
    GraphQLScalarType,
    IntValueNode,
    StringValueNode,
    ValueNode,
    print_ast,
)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _int64(value: int, shown: str) -> int:
    if not INT64_MIN <= value <= INT64_MAX:
        raise GraphQLError(f"Int cannot represent non 64-bit signed integer value: {shown}")
    return value


def serialize_int64(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return _int64(value, str(value))
    if isinstance(value, float) and value.is_integer():
        return _int64(int(value), repr(value))
    raise GraphQLError(f"Int cannot represent non-integer value: {value!r}")


def coerce_int64(value: Any) -> int:
    # JSON variables: only integers (gqlparser refuses 1.0 and "1" for Int as well).
    if isinstance(value, int) and not isinstance(value, bool):
        return _int64(value, str(value))
    raise GraphQLError(f"Int cannot represent non-integer value: {value!r}")


def parse_int64_literal(node: ValueNode, _variables: Any = None) -> int:
    if not isinstance(node, IntValueNode):
        raise GraphQLError(f"Int cannot represent non-integer value: {print_ast(node)}", node)
    return _int64(int(node.value), node.value)


class _GoScalarType(GraphQLScalarType):
    """A scalar allowed to take a built-in scalar's name (graphql-core 3.3 refuses that on
    GraphQLScalarType itself): it replaces `Int` in this schema only."""

    reserved_types: Mapping[str, GraphQLNamedType] = {}


Int64 = _GoScalarType(
    name="Int",
    # gqlgen's prelude keeps the standard description even though Go's int is 64 bits.
    description="The `Int` scalar type represents non-fractional signed whole numeric values."
    " Int can represent values between -(2^31) and 2^31 - 1.",
    coerce_output_value=serialize_int64,
    coerce_input_value=coerce_int64,
    coerce_input_literal=parse_int64_literal,
)


def rfc3339nano(ts_ms: int) -> str:
    """Go's `time.RFC3339Nano` in UTC: trailing zeros of the fraction trimmed, `Z` suffix."""
    dt = datetime.fromtimestamp(ts_ms // 1000, tz=UTC)
    frac = f"{ts_ms % 1000:03d}000000".rstrip("0")
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def serialize_time(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return rfc3339nano(round(value.timestamp() * 1000))
    raise GraphQLError(f"Time cannot represent value: {value!r}")


def coerce_time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise GraphQLError(f"Time cannot represent value: {value!r}")


def parse_time_literal(node: ValueNode, _variables: Any = None) -> datetime:
    if isinstance(node, StringValueNode):
        return coerce_time(node.value)
    raise GraphQLError(f"Time cannot represent value: {print_ast(node)}", node)


Time = GraphQLScalarType(
    name="Time",
    coerce_output_value=serialize_time,
    coerce_input_value=coerce_time,
    coerce_input_literal=parse_time_literal,
)
