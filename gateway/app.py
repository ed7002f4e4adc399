"""The app factory: wiring only. Each concern lives in its own module."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway import __version__
from gateway.context import GatewayContext
from gateway.schema.build import schema
from gateway.settings import Settings
from gateway.sources.base import PerpSource
from gateway.sources.registry import build_sources, close_sources
from gateway.venues import SOURCE_OF, Venue


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    """Strawberry's ASGI app with the gateway's context (built per request or per socket)."""

    def __init__(self, sources: dict[Venue, PerpSource | None]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.sources = sources

    async def get_context(self, request: Request | WebSocket, response: Any = None) -> GatewayContext:
        return GatewayContext(sources=self.sources, request=request, response=response)


async def healthz(request: Request) -> Response:
    """Liveness: the process answers. Says nothing about upstreams (that is /readyz)."""
    return JSONResponse({"status": "ok", "version": __version__})


def readyz_route(sources: dict[Venue, PerpSource | None]) -> Route:
    async def readyz(request: Request) -> Response:
        upstreams = {
            SOURCE_OF[v]: {"venue": v.value, "configured": s is not None} for v, s in sources.items()
        }
        return JSONResponse({"status": "ready", "upstreams": upstreams})

    return Route("/readyz", readyz)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    sources = build_sources(settings)
    graphql = GatewayGraphQL(sources)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await close_sources(sources)

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            readyz_route(sources),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.sources = sources
    return app
