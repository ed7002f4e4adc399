"""Builds the public schema and prints its SDL."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.api.extensions.errors import ErrorMapping
from gateway.api.extensions.loaders import LoadersPerOperation
from gateway.api.extensions.operation_record import OperationRecord
from gateway.api.query import Query
from gateway.api.scalars import scalar_map
from gateway.api.subscription import Subscription


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Errors are logged where they are mapped (extensions/errors.py), once, without noise."""


def build_schema() -> strawberry.Schema:
    return GatewaySchema(
        query=Query,
        subscription=Subscription,
        config=StrawberryConfig(auto_camel_case=False, scalar_map=scalar_map()),
        extensions=[OperationRecord, LoadersPerOperation, ErrorMapping],
    )


schema = build_schema()


def print_schema() -> str:
    """The SDL that `schema.graphql` must equal."""
    return schema.as_str() + "\n"
