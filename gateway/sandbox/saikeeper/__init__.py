"""Simulator of Sai Keeper, Nibiru's perp indexer: a gqlgen GraphQL server on /query.

Mounted under /saikeeper: `POST|GET /saikeeper/query` for queries, and WebSocket
subscriptions on the same path (`graphql-transport-ws`, or gqlgen's legacy `graphql-ws`).
Data: the NIBIRU venue of the shared market simulation. No auth and no rate limits, as the
upstream documents none. docs/sandbox-saikeeper.md describes the wire and every decision.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from gateway.sandbox.saikeeper.history import NibiruIndex
from gateway.sandbox.saikeeper.http_transport import make_handler
from gateway.sandbox.saikeeper.resolvers import SaiEnv
from gateway.sandbox.saikeeper.schema import sai_schema
from gateway.sandbox.saikeeper.ws_transport import make_endpoint
from gateway.sandbox.state import SandboxState

__all__ = ["build_routes"]

METHODS = ["GET", "POST", "OPTIONS", "HEAD", "PUT", "PATCH", "DELETE"]


def build_routes(state: SandboxState) -> list[BaseRoute]:
    schema = sai_schema()
    index = NibiruIndex()  # follows `state.market` (it re-reads it on every use), reset-safe

    def context() -> SaiEnv:
        return SaiEnv(state, index)

    return [
        # Route and WebSocketRoute on one path: Starlette picks by scope type (a Mount would
        # redirect HTTP and break the WebSocket).
        Route("/query", make_handler(schema, context), methods=METHODS),
        WebSocketRoute("/query", make_endpoint(schema, context)),
    ]
