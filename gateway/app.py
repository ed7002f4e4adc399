"""The app factory: wiring only. Each concern lives in its own module."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from gateway import __version__
from gateway.api import graphiql
from gateway.api.build import build_schema
from gateway.api.compiled.asgi import CompiledGraphQL
from gateway.api.compiled.events import event_schema
from gateway.api.compiled.executor import CompiledExecutor
from gateway.api.context import GatewayContext
from gateway.coord import redis as coord_redis
from gateway.edge.browsers import cors_middleware
from gateway.edge.gate import EdgeGate
from gateway.http.body_limit import BodyLimit
from gateway.http.view import GraphQLOverHTTP
from gateway.limits.extension import Limits
from gateway.model.source import PerpSource
from gateway.model.venue import Venue
from gateway.observe import logs, metrics, tracing
from gateway.observe.access import AccessLog
from gateway.observe.readiness import readyz_route
from gateway.policy.memo import Memo
from gateway.policy.runtime import UpstreamPolicy
from gateway.response_cache.asgi import build_response_cache
from gateway.settings import Settings
from gateway.sources.memoized import memoized
from gateway.sources.registry import bridge_factory, build_sources, close_sources, extra_routes, upstream_of
from gateway.streams.build import build_hub
from gateway.streams.hub import Hub
from gateway.streams.types import BridgeFactory
from gateway.ws.endpoint import SubscriptionEndpoint

GRAPHQL_PATHS = ("/graphql", "/query")


class GatewayGraphQL(GraphQLOverHTTP[GatewayContext]):
    """Strawberry's ASGI app with the gateway's context (built per request or per socket)."""

    def __init__(self, schema: strawberry.Schema, sources: dict[Venue, PerpSource | None],
                 hub: Hub | None = None) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.sources = sources
        self.hub = hub

    async def get_context(self, request: Request | WebSocket | None, response: Any = None) -> GatewayContext:
        return GatewayContext(sources=self.sources, request=request, response=response, hub=self.hub)

    async def render_graphql_ide(self, request: Request) -> Response:
        """The gateway's own GraphiQL page: local assets only, perp examples (gateway/api/graphiql.py)."""
        return graphiql.response()


async def healthz(request: Request) -> Response:
    """Liveness: the process answers. Says nothing about upstreams (that is /readyz)."""
    return JSONResponse({"status": "ok", "version": __version__})


def limits_of(settings: Settings) -> Limits:
    return Limits(max_depth=settings.max_depth, max_aliases=settings.max_aliases, max_tokens=settings.max_tokens,
                  max_cost=settings.max_cost, introspection=settings.introspection)


def create_app(settings: Settings | None = None, bridges: BridgeFactory | None = None) -> Starlette:
    """The gateway; `bridges` replaces the upstream stream factory (tests use in-process bridges)."""
    settings = settings or Settings.from_env()
    tracing.configure()  # OTLP export when OTEL_EXPORTER_OTLP_ENDPOINT is set (once per process)
    logs.lean_records()  # in every worker: uvicorn applies the log config, not these switches
    redis = coord_redis.connect_optional(settings.redis_url)  # the app's one client, or None
    policy = UpstreamPolicy(settings, redis)
    sources = build_sources(settings, policy)
    hub = build_hub(settings, bridges or bridge_factory(settings, sources), redis)
    memo = Memo()  # the API's reads reuse mapped upstream answers (gateway/policy/memo.py)
    schema = build_schema(limits_of(settings))
    graphql = GatewayGraphQL(schema, memoized(sources, memo), hub)
    executor = CompiledExecutor(schema, enabled=settings.compiled_execution)
    compiled = CompiledGraphQL(graphql, executor, lambda request: graphql.get_context(request, None))
    cached_graphql = build_response_cache(compiled, settings, redis)  # queries over HTTP; sockets go direct
    gate = EdgeGate(cached_graphql, settings, redis)  # caller access, per-caller limits, persisted operations
    # subscription groups complete their events through compiled plans too (api/compiled/events.py)
    subscriptions = SubscriptionEndpoint(event_schema(schema) if executor.enabled else schema,
                                         lambda: graphql.get_context(None), settings, gate)
    # routes an upstream adds (a webhook receiver, when configured): events go through the hub
    upstream_routes = extra_routes(settings, hub.publish, sources, redis)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await hub.start()
        metrics.watch_streams(hub)  # gateway_streams: its topics by state
        reporter = asyncio.create_task(metrics.report_streams()) if metrics.multiprocess() else None
        try:
            yield
        finally:
            if reporter is not None:
                reporter.cancel()
            metrics.unwatch_streams(hub)
            await subscriptions.drain()
            await hub.stop()
            await cached_graphql.aclose()
            await gate.aclose()
            for _, close in upstream_routes:
                await close()
            await close_sources(sources)
            metrics.mark_process_dead()
            tracing.shutdown()
            await coord_redis.close(redis)  # last: everything above may still talk to Redis

    app = Starlette(
        routes=[
            # /query is Sai Keeper's path: served exactly like /graphql, so a Sai client changes only its host
            *(Route(path, gate, methods=["GET", "POST"]) for path in GRAPHQL_PATHS),
            *(WebSocketRoute(path, subscriptions) for path in GRAPHQL_PATHS),
            Mount(graphiql.MOUNT, app=graphiql.assets(), name="graphiql"),
            Route("/healthz", healthz),
            readyz_route({upstream_of(v).name: (v.value, s is not None) for v, s in sources.items()},
                         {name: up.breaker for name, up in policy.upstreams.items()}, redis, hub),
            metrics.route(),
            *(route for route, _ in upstream_routes),
        ],
        # outermost first: request id, access line and server span around everything (a 413 too);
        # then CORS, so even a 413 carries the headers a browser needs to read it
        middleware=[Middleware(AccessLog), cors_middleware(settings.edge),
                    Middleware(BodyLimit, max_body=settings.max_body)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.redis = redis
    app.state.sources = sources
    app.state.hub = hub
    app.state.publish = hub.publish
    app.state.subscriptions = subscriptions
    app.state.response_cache = cached_graphql
    app.state.gate = gate
    app.state.compiled = executor
    app.state.memo = memo
    return app
