"""The executable schema: SDL from sdl.py, 64-bit `Int`, `Time`, resolvers attached.

graphql-core always binds the SDL's `Int` to its own 32-bit scalar, so after building we swap
every reference to it (field, argument and input field types, through List/NonNull wrappers)
for our scalar of the same name. The global `GraphQLInt` is never touched, so other schemas in
the process (the gateway's own) keep standard behaviour.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    assert_valid_schema,
    build_schema,
)

from sandbox.nibiru import boards, feeds, namespaces, resolvers
from sandbox.nibiru.scalars import Int64, Time
from sandbox.nibiru.sdl import SDL

QUERY_RESOLVERS = {
    "trade": resolvers.resolve_trade,
    "trades": resolvers.resolve_trades,
    "tradeHistory": resolvers.resolve_trade_history,
    "borrowing": resolvers.resolve_borrowing,
    "borrowings": resolvers.resolve_borrowings,
}


NAMESPACES: dict[str, dict[str, Any]] = {"lp": namespaces.LP, "oracle": namespaces.ORACLE, "referral": boards.REFERRAL,
              "saiPoints": boards.SAI_POINTS, "appVersion": boards.APP_VERSION}
ROOT_TYPES = {"lp": "LpQuery", "oracle": "OracleQuery", "referral": "ReferralQuery",
              "saiPoints": "SaiPointsQuery", "appVersion": "AppVersion"}


def _swap(type_: Any, old: GraphQLNamedType, new: GraphQLNamedType) -> Any:
    """`type_` with `old` replaced by `new`; the very same object when nothing changes."""
    if type_ is old:
        return new
    if isinstance(type_, GraphQLNonNull | GraphQLList):
        inner = _swap(type_.of_type, old, new)
        if inner is not type_.of_type:
            return type(type_)(inner)
    return type_


def replace_scalar(schema: GraphQLSchema, new: GraphQLNamedType) -> None:
    old = schema.type_map[new.name]
    for named in schema.type_map.values():
        if named.name.startswith("__"):
            continue  # introspection types are shared by every schema; they use no Int
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field in named.fields.values():
                field.type = _swap(field.type, old, new)
                for arg in field.args.values():
                    arg.type = _swap(arg.type, old, new)
        elif isinstance(named, GraphQLInputObjectType):
            for input_field in named.fields.values():
                input_field.type = _swap(input_field.type, old, new)
    schema.type_map[new.name] = new


@cache
def sai_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    replace_scalar(schema, Int64)
    replace_scalar(schema, Time)
    query = schema.query_type
    subscription = schema.subscription_type
    perp = schema.type_map["PerpQuery"]
    assert query is not None and subscription is not None and isinstance(perp, GraphQLObjectType)
    query.fields["perp"].resolve = resolvers.resolve_perp
    for name, resolver in {**QUERY_RESOLVERS, **boards.PERP}.items():
        perp.fields[name].resolve = resolver
    for root, fields in NAMESPACES.items():
        query.fields[root].resolve = namespaces.namespace
        named = schema.type_map[ROOT_TYPES[root]]
        assert isinstance(named, GraphQLObjectType)
        for name, resolver in fields.items():
            named.fields[name].resolve = resolver
    query.fields["explorer"].resolve = lambda _r, _i: {"network": "sandbox"}
    for name, source in feeds.SUBSCRIPTIONS.items():
        subscription.fields[name].subscribe = source
        subscription.fields[name].resolve = feeds.resolve_payload
    assert_valid_schema(schema)
    return schema
