"""Simulator of the PerpsTracker API (Jupiter Perpetuals on Solana, venue JUPITER of the market).

Mounted under /perpstracker by the sandbox server:

    /perpstracker/api/prices, /perpstracker/api/perpetuals/...   REST (Bearer key, rate limited)
    /perpstracker/api/trading/...                                 Trading API reads (assumed paths)
    /perpstracker/api/webhooks                                    webhook management (X-API-Key or Bearer)
    /perpstracker/ws/alerts                                       alert WebSocket

Layout: `routes_*.py` are handlers grouped by endpoint family, each exporting a `SPECS` table;
`http.py` wraps them in auth, rate limits and the documented error body; `render.py` and
`rows.py` are the pure market-to-wire functions; `stats.py` computes the leaderboards;
`store.py` holds per-key accounts; `alerts.py`, `ws.py` and `webhook_sender.py` push trades.
See docs/sandbox-perpstracker.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.routing import BaseRoute

from sandbox.perpstracker import (
    routes_activity,
    routes_copy,
    routes_leaderboard,
    routes_positions,
    routes_rankings,
    routes_trader,
    routes_trading,
    routes_watchlist,
    routes_webhooks,
)
from sandbox.perpstracker.http import Spec, category_for, make_route, not_found_route
from sandbox.perpstracker.service import service_for
from sandbox.perpstracker.ws import ws_route
from sandbox.state import SandboxState

# Order matters where paths overlap: fixed paths before `{param}` ones of the same shape.
SPECS: list[Spec] = [
    *routes_leaderboard.SPECS,
    *routes_rankings.SPECS,
    *routes_activity.SPECS,
    *routes_positions.SPECS,
    *routes_trader.SPECS,
    *routes_copy.SPECS,
    *routes_watchlist.SPECS,
    *routes_trading.SPECS,
    *routes_webhooks.SPECS,
]


def build_routes(state: SandboxState) -> list[BaseRoute]:
    svc = service_for(state)
    routes: list[BaseRoute] = [make_route(spec, svc) for spec in SPECS]
    routes.append(ws_route(svc))
    routes.append(not_found_route(svc))
    return routes


def category_of(method: str, path: str) -> str | None:
    """The rate-limit category of a request (path below the /perpstracker mount), for the log."""
    return category_for(SPECS, method, path)


@contextlib.asynccontextmanager
async def lifespan(state: SandboxState) -> AsyncIterator[None]:
    """Runs the webhook sender for the life of the sandbox app."""
    async with service_for(state).sender.running():
        yield
