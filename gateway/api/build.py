"""Builds the public schema and prints its SDL."""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.api.costs import GatewayCostModel
from gateway.api.extensions.errors import ErrorMapping
from gateway.api.extensions.loaders import LoadersPerOperation
from gateway.api.extensions.observe import ObserveOperation
from gateway.api.extensions.operation_record import OperationRecord
from gateway.api.query import PERP_DESCRIPTION, PerpQuery
from gateway.api.scalars import scalar_map
from gateway.api.subscription import Subscription
from gateway.limits.documents import DocumentCache
from gateway.limits.extension import DocumentLimits, Limits
from gateway.sources.registry import descriptors


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are mapped (extensions/errors.py), once, without noise."""


def _parts(root: str) -> list[type]:
    """Fields of `root` that only one upstream serves (its descriptor's `schema_parts`)."""
    found = []
    for upstream in descriptors().values():
        parts = upstream.schema_parts() if upstream.schema_parts is not None else {}
        if root in parts:
            found.append(parts[root])
    return found


def _merged(name: str, base: type, extras: list[type]) -> type:
    """`base` with the extras' fields after its own, under base's name and description."""
    if not extras:
        return base
    description = base.__strawberry_definition__.description  # type: ignore[attr-defined]
    merged: type = strawberry.type(type(name, (base, *extras), {}), name=name, description=description)
    return merged


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The schema with its request limits (one document cache per schema, shared by its requests)."""
    documents = functools.partial(DocumentLimits, limits or Limits(), DocumentCache(), GatewayCostModel())
    perp = _merged("PerpQuery", PerpQuery, _parts("PerpQuery"))

    def resolve_perp() -> Any:
        return perp()

    root = strawberry.type(type("Query", (), {"__annotations__": {}, "perp": strawberry.field(
        resolver=resolve_perp, graphql_type=perp, description=PERP_DESCRIPTION)}), name="Query")
    return GatewaySchema(
        query=_merged("Query", root, _parts("Query")),
        subscription=_merged("Subscription", Subscription, _parts("Subscription")),
        config=StrawberryConfig(auto_camel_case=False, scalar_map=scalar_map()),
        extensions=[OperationRecord, ObserveOperation, LoadersPerOperation, ErrorMapping, documents],
    )


schema = build_schema()


def print_schema() -> str:
    """The SDL that `schema.graphql` must equal."""
    return schema.as_str() + "\n"
