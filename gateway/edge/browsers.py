"""Browsers on other origins: CORS for HTTP, an Origin check for WebSocket handshakes.

The default, GATEWAY_CORS_ORIGINS=`*` without credentials, suits a public read-only API: any
page may query it with `fetch`, and since no cookies are ever honoured (credentials are headers,
`Authorization` or `X-API-Key`, which a page must set itself), a hostile page gains nothing a
script on a server would not have. Preflights (`OPTIONS /graphql`) are answered by Starlette's
CORSMiddleware for any request header (Content-Type: application/json, Authorization, X-API-Key,
Apollo's headers) and cached by the browser for `MAX_AGE`. A list of origins restricts both.

Browsers do not apply CORS to WebSockets: they send `Origin` and leave the check to the server.
GATEWAY_WS_ORIGINS (default: the CORS origins) lists the pages that may open a subscription
socket; a handshake from another origin is refused (HTTP 403). A handshake without `Origin`
comes from a non-browser client, which CORS would not stop either, and is accepted.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from gateway.edge.settings import EdgeSettings

MAX_AGE = 600  # seconds a browser may reuse a preflight answer
EXPOSED = ["X-Gateway-Cache", "Retry-After", "Cache-Control", "X-Request-Id"]


def cors_middleware(settings: EdgeSettings) -> Middleware:
    return Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                      allow_methods=["GET", "POST", "OPTIONS"], allow_headers=["*"], allow_credentials=False,
                      expose_headers=EXPOSED, max_age=MAX_AGE)


def origin_allowed(settings: EdgeSettings, origin: str | None) -> bool:
    allowed = settings.allowed_ws_origins
    return origin is None or "*" in allowed or origin.rstrip("/") in {o.rstrip("/") for o in allowed}
