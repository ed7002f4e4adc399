"""Resolver fields on the compiled path: Strawberry's resolvers, called without converting the
same arguments again on every request.

Strawberry wraps each resolver in a function that, on every call, converts graphql-core's
argument values into Strawberry inputs (`convert_arguments`: type resolution, input dataclasses,
enums), builds `Info` and runs the field extensions. Measured with the response cache off, that
conversion was a fifth of a personalised request (`trades(where: {trader: $t}, limit: 20)`) and a
tenth of a leaderboard one, for arguments that repeat from request to request.

`DirectResolvers` plays graphql-core's middleware role (`Executor.middleware_manager`: it is asked
for the function to call in place of each field's resolve function). For a field whose Strawberry
resolver has no field extensions and no exception handlers, it returns a function that converts
the arguments with Strawberry's own `convert_arguments`, memoized by their value, then calls the
resolver exactly as Strawberry's wrapper would (the source as `self`/root/parent, `Info` where the
resolver asks for it). Every other field keeps Strawberry's wrapper. Converted inputs are shared
between requests like the memo's mapped objects: resolvers treat their arguments as read-only.
The differential test (tests/api/compiled) runs thousands of documents through both paths.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

# makes `f(source, info)` calling a field with given raw argument values (DirectResolvers.prepare)
Preparing = Callable[[dict[str, Any]], Callable[[Any, Any], Any]]
MEMO_LIMIT = 4096  # converted argument sets kept, all fields together
BACKREF = "strawberry-definition"  # where Strawberry links a GraphQLField to its StrawberryField


MAX_KEY_STRING = 256  # a longer string argument is converted, not kept: the memo's memory stays small
MAX_KEY_VALUES = 200  # so is an argument set of more values than this (a long list in a variable)


def frozen(value: Any, budget: list[int] | None = None) -> Any:
    """A hashable key equal only for equal argument values of the same types; TypeError for
    values not worth keeping (unhashable, a long string, more than MAX_KEY_VALUES values)."""
    budget = budget if budget is not None else [MAX_KEY_VALUES]
    budget[0] -= 1
    if budget[0] < 0:
        raise TypeError("too many values to keep")
    kind = type(value)
    if kind is dict:
        return (dict, tuple((k, frozen(v, budget)) for k, v in value.items()))
    if kind is list:
        return (list, tuple(frozen(v, budget) for v in value))
    if kind is str and len(value) > MAX_KEY_STRING:
        raise TypeError("too long to keep")
    hash(value)  # TypeError: not memoizable
    return (kind, value)


class DirectResolvers:
    def __init__(self, schema: strawberry.Schema) -> None:
        self._direct: dict[Any, Callable[..., Any]] = {}
        self._memo: dict[Any, dict[str, Any]] = {}
        self._preparing: dict[Any, Preparing] = {}
        converter = schema.schema_converter
        for graphql_type in schema._schema.type_map.values():
            if not isinstance(graphql_type, GraphQLObjectType):
                continue
            for field_def in graphql_type.fields.values():
                field = (field_def.extensions or {}).get(BACKREF)
                if field_def.resolve is None or not isinstance(field, StrawberryField) or field.base_resolver is None:
                    continue
                if field.extensions or converter._get_field_exception_handlers(field):
                    continue
                direct, prepare = self._calling(field, schema)
                self._direct[field_def.resolve], self._preparing[field_def.resolve] = direct, prepare

    def get_field_resolver(self, resolve: Callable[..., Any]) -> Callable[..., Any]:
        """graphql-core's middleware hook: the function to call for a field's resolve function."""
        return self._direct.get(resolve, resolve)

    def prepare(self, resolve: Callable[..., Any], raw: dict[str, Any]) -> Callable[[Any, Any], Any] | None:
        """For a field this class calls directly: `f(source, info)` calling it with these argument
        values, converted on the first call and kept (levels.py: a step's literal arguments, a
        repeated set of variables), so no request hashes them again; None for any other field."""
        preparing = self._preparing.get(resolve)
        return preparing(raw) if preparing is not None else None

    def _calling(self, field: StrawberryField, schema: strawberry.Schema) -> tuple[Callable[..., Any], Preparing]:
        """(the function graphql-core calls in place of the field's resolve, its `prepare`)"""
        resolver = field.base_resolver
        assert resolver is not None
        arguments = field.arguments
        registry = schema.schema_converter.scalar_registry
        config = schema.config
        info_class = config.info_class
        with_self = resolver.self_parameter is not None
        source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
        info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
        memo = self._memo

        def convert(raw: dict[str, Any], info: Any) -> dict[str, Any]:
            if not raw:
                return {}
            try:
                key = (id(field), frozen(raw))
            except TypeError:
                return convert_arguments(raw, arguments, scalar_registry=registry, config=config, info=info)
            converted = memo.get(key)
            if converted is None:
                converted = convert_arguments(raw, arguments, scalar_registry=registry, config=config, info=info)
                if len(memo) >= MEMO_LIMIT:
                    memo.clear()
                memo[key] = converted
            return converted

        def invoke(source: Any, strawberry_info: Any, converted: dict[str, Any]) -> Any:
            kwargs = dict(converted)
            for name in source_names:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = strawberry_info
            return resolver(source, **kwargs) if with_self else resolver(**kwargs)

        def call(source: Any, info: Any, raw: dict[str, Any]) -> Any:
            strawberry_info = info_class(_raw_info=info, _field=field)
            return invoke(source, strawberry_info, convert(raw, strawberry_info))

        def prepare(raw: dict[str, Any]) -> Callable[[Any, Any], Any]:
            kept: list[dict[str, Any]] = []  # the converted arguments, once the first call made them

            def prepared(source: Any, info: Any) -> Any:
                strawberry_info = info_class(_raw_info=info, _field=field)
                if not kept:
                    kept.append(convert(raw, strawberry_info))
                return invoke(source, strawberry_info, kept[0])

            if resolver.is_async:
                async def prepared_async(source: Any, info: Any) -> Any:
                    return await prepared(source, info)

                return prepared_async
            return prepared

        if resolver.is_async:  # the same shape as Strawberry's wrapper: errors surface when awaited
            async def direct_async(source: Any, info: Any, **raw: Any) -> Any:
                return await call(source, info, raw)

            return direct_async, prepare

        def direct(source: Any, info: Any, **raw: Any) -> Any:
            return call(source, info, raw)

        return direct, prepare
