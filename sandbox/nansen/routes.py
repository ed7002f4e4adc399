"""HTTP handling: the eight POST endpoints behind the key gate, with FastAPI-style errors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.market import Market
from sandbox.nansen import leaderboards, profiler, schemas, screener, tokens
from sandbox.nansen.access import NO_CREDITS, RATE_LIMITED, Gate, rate_headers
from sandbox.nansen.listing import Invalid
from sandbox.nansen.validation import Obj, parse_body
from sandbox.state import SandboxState

Handler = Callable[[Market, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    path: str
    schema: Obj
    run: Handler


ENDPOINTS = (
    Endpoint("/api/v1/profiler/perp-positions", schemas.PERP_POSITIONS, profiler.perp_positions),
    Endpoint("/api/v1/profiler/perp-trades", schemas.PERP_TRADES, profiler.perp_trades),
    Endpoint("/api/v1/perp-leaderboard", schemas.PERP_LEADERBOARD, leaderboards.perp_leaderboard),
    Endpoint("/api/v1/perp-screener", schemas.PERP_SCREENER, screener.perp_screener),
    Endpoint("/api/v1/tgm/perp-pnl-leaderboard", schemas.PNL_LEADERBOARD, leaderboards.pnl_leaderboard),
    Endpoint("/api/v1/smart-money/perp-trades", schemas.SMART_MONEY_TRADES, tokens.smart_money_trades),
    Endpoint("/api/v1/tgm/perp-positions", schemas.TGM_POSITIONS, tokens.tgm_positions),
    Endpoint("/api/v1/tgm/perp-trades", schemas.TGM_TRADES, tokens.tgm_trades),
)


def _detail(status: int, detail: object, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def _endpoint_handler(state: SandboxState, gate: Gate, ep: Endpoint) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        if request.method != "POST":
            return _detail(405, "Method Not Allowed", {"Allow": "POST"})
        key = request.headers.get("apikey")
        problem = gate.authenticate(key)
        if problem is not None or key is None:
            return _detail(401, problem)
        decision = gate.admit(key, state.rate_limits)
        headers = rate_headers(decision)
        if not decision.allowed:
            headers["Retry-After"] = str(decision.reset)
            return JSONResponse({"detail": RATE_LIMITED, "retry_after": decision.reset},
                                status_code=429, headers=headers)
        body, errors = parse_body(await request.body(), ep.schema)
        if errors:
            return _detail(422, errors, headers)
        if not gate.affordable(key, ep.path):
            return _detail(403, NO_CREDITS, headers)
        try:
            payload = ep.run(state.market, body)  # re-read: /_control/reset swaps the market
        except Invalid as exc:
            return _detail(422, exc.errors, headers)
        used, remaining = gate.charge(key, ep.path)
        headers["X-Nansen-Credits-Used"] = str(used)
        headers["X-Nansen-Credits-Remaining"] = str(remaining)
        return JSONResponse(payload, headers=headers)

    return handle


# Routes take every method so that a GET gets FastAPI's JSON 405, not Starlette's plain text.
_ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def _not_found(request: Request) -> Response:
    return _detail(404, "Not Found")


def build_routes(state: SandboxState) -> list[BaseRoute]:
    """Routes below the `/nansen` mount; unknown paths answer FastAPI's JSON 404."""
    gate = Gate()
    state.reset_hooks.append(lambda market: gate.reset())
    routes: list[BaseRoute] = [
        Route(ep.path, _endpoint_handler(state, gate, ep), methods=_ANY_METHOD) for ep in ENDPOINTS
    ]
    routes.append(Route("/{path:path}", _not_found, methods=_ANY_METHOD))
    return routes
