"""Scalars as Sai Keeper (a Go gqlgen server) defines them.

`Int` is 64-bit there: collateral amounts in micro-units exceed 2^31 ($2,377,788.35 is
2,377,788,350,000) and Sai Keeper sends them as plain JSON integers. graphql-core forbids
redefining the built-in `Int` type and caps it at 32 bits, so the built-in's coercion hooks are
widened once, here, on import of the schema. This is process-wide, by design: the gateway's `Int`
is Sai Keeper's `Int`. Values beyond 64 bits are still refused.

`Time` is RFC 3339 with Go's trimmed fractional seconds (`2025-12-16T11:59:58.452Z`); strings from
Sai Keeper pass through unchanged, so Nibiru answers are byte-for-byte what Sai Keeper sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from graphql import GraphQLError, GraphQLInt
from graphql.language import IntValueNode, ValueNode

from gateway.model.forwarded import JSON, plain
from gateway.model.time import Time, format_time

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _int64(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and INT64_MIN <= value <= INT64_MAX:
        return value
    raise GraphQLError(f"Int cannot represent non 64-bit integer value: {value!r}")


def _int64_input(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GraphQLError(f"Int cannot represent non-integer value: {value!r}")
    return _int64(value)


def _int64_literal(node: ValueNode, _variables: Any = None) -> int:
    if not isinstance(node, IntValueNode):
        raise GraphQLError("Int cannot represent non-integer value", node)
    return _int64(int(node.value))


def _int64_to_literal(value: Any) -> IntValueNode | None:
    try:
        return IntValueNode(value=str(_int64_input(value)))
    except GraphQLError:
        return None


GraphQLInt.description = (
    "The `Int` scalar type represents non-fractional signed whole numeric values. "
    "As in Sai Keeper, Int is 64-bit: between -(2^63) and 2^63 - 1."
)
GraphQLInt.coerce_output_value = _int64
GraphQLInt.coerce_input_value = _int64_input
GraphQLInt.coerce_input_literal = _int64_literal
GraphQLInt.value_to_literal = _int64_to_literal


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise GraphQLError(f"Time must be an RFC 3339 string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise GraphQLError(f"Time must be an RFC 3339 string, got {value!r}") from exc
    if parsed.tzinfo is None:
        raise GraphQLError("Time must carry a time zone (e.g. Z)")
    return parsed


SCALAR_MAP: dict[object, Any] = {}


def scalar_map() -> dict[object, Any]:
    """Strawberry's scalar_map entries for the types above."""
    import strawberry

    if not SCALAR_MAP:
        SCALAR_MAP[Time] = strawberry.scalar(
            name="Time",
            description="An RFC 3339 date-time in UTC, e.g. 2025-12-16T11:59:58.452Z.",
            serialize=format_time,
            parse_value=lambda v: format_time(parse_time(v)),
        )
        SCALAR_MAP[JSON] = strawberry.scalar(
            name="JSON",
            description="A value whose type no public Sai Keeper client has shown (its `Unobserved`): "
            "passed through exactly as Sai Keeper sent it.",
            serialize=plain,
            parse_value=lambda v: v,
        )
    return SCALAR_MAP
