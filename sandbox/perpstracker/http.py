"""The REST endpoint wrapper: authentication, rate limits, errors and headers around each handler.

Every route is a `Spec` (method, path, rate-limit category, handler). The same table builds the
Starlette routes and answers `category_of` for the request log, so the two cannot disagree.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, compile_path

from sandbox.market import Market
from sandbox.perpstracker.auth import ELITE, authenticate
from sandbox.perpstracker.errors import ApiError, elite_required, error_body, error_response
from sandbox.perpstracker.service import Service
from sandbox.perpstracker.store import Account

log = logging.getLogger(__name__)


@dataclass
class Ctx:
    """What a handler gets: the request, the caller's key and plan, and the simulator's state."""

    request: Request
    key: str
    plan: str
    svc: Service

    @property
    def market(self) -> Market:
        # Re-read on every access: `/_control/reset` replaces the market object.
        return self.svc.state.market

    @property
    def account(self) -> Account:
        return self.svc.store.account(self.key)

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])


Result = dict[str, object] | Response
Handler = Callable[[Ctx], Awaitable[Result]]


@dataclass(frozen=True)
class Spec:
    method: str
    path: str  # below the /perpstracker mount
    category: str
    handler: Handler
    x_api_key: bool = False  # also accept `X-API-Key` (the webhook API)
    elite_only: bool = False

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.path)


@functools.lru_cache(maxsize=256)
def _compiled(path: str) -> re.Pattern[str]:
    return compile_path(path)[0]


def make_route(spec: Spec, svc: Service) -> Route:
    async def endpoint(request: Request) -> Response:
        now = svc.state.market.now_ms
        try:
            key, plan = authenticate(request, allow_x_api_key=spec.x_api_key)
        except ApiError as exc:
            return error_response(exc, now)
        verdict = svc.limits.check(key, spec.category, enforce=svc.state.rate_limits)
        if not verdict.allowed:
            window = "per second" if verdict.window_s <= 1 else "per minute"
            refused = ApiError(429, "Rate limit exceeded", "RATE_LIMIT_EXCEEDED",
                               f"{spec.category} limit of {verdict.limit} requests {window} exceeded. "
                               f"Retry after {verdict.reset} seconds")
            return error_response(refused, now, verdict.headers())
        try:
            if spec.elite_only and plan != ELITE:
                raise elite_required()
            result = await spec.handler(Ctx(request, key, plan, svc))
            response = result if isinstance(result, Response) else JSONResponse(result)
        except ApiError as exc:
            response = error_response(exc, now)
        except Exception:  # a simulator bug: log it, answer like the upstream's 500
            log.exception("perpstracker simulator: %s %s failed", request.method, request.url.path)
            response = JSONResponse(error_body("Internal server error", "INTERNAL_ERROR",
                                               "Unexpected error", now), 500)
        response.headers.update(verdict.headers())
        return response

    return Route(spec.path, endpoint, methods=[spec.method], name=f"{spec.method} {spec.path}")


def not_found_route(svc: Service) -> Route:
    """JSON 404 for unknown paths under /api, instead of Starlette's plain-text one."""

    async def endpoint(request: Request) -> Response:
        body = error_body("Not found", "NOT_FOUND", f"No endpoint {request.method} {request.url.path}",
                          svc.state.market.now_ms)
        return JSONResponse(body, 404)

    return Route("/api/{rest:path}", endpoint, methods=["GET", "POST", "PATCH", "PUT", "DELETE"])


def category_for(specs: list[Spec], method: str, path: str) -> str | None:
    method = "GET" if method == "HEAD" else method
    for spec in specs:
        if spec.method == method and spec.regex.match(path):
            return spec.category
    return None
