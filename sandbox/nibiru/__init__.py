"""Simulator of Sai Keeper, Nibiru's perp indexer: a gqlgen GraphQL server on /query.

Mounted under /nibiru: `POST|GET /nibiru/query` for queries, and WebSocket
subscriptions on the same path (`graphql-transport-ws`, or gqlgen's legacy `graphql-ws`).
Data: the NIBIRU venue of the shared market simulation. No auth and no rate limits, as the
upstream documents none. docs/sandbox-nibiru.md describes the wire and every decision.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from sandbox.nibiru.history import NibiruIndex
from sandbox.nibiru.http_transport import make_handler
from sandbox.nibiru.resolvers import SaiEnv
from sandbox.nibiru.schema import sai_schema
from sandbox.nibiru.ws_transport import make_endpoint
from sandbox.state import SandboxState

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
