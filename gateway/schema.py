"""The public GraphQL schema (placeholder until the unified perp schema lands)."""

from __future__ import annotations

import strawberry


@strawberry.type
class Query:
    @strawberry.field(description="The gateway's version.")
    def version(self) -> str:
        from gateway import __version__

        return __version__


schema = strawberry.Schema(query=Query)


def print_schema() -> str:
    """The SDL that `schema.graphql` must equal."""
    return strawberry.printer.print_schema(schema) + "\n"
