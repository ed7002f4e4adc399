"""The app factory: wiring only. Each concern lives in its own module."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import __version__
from gateway.settings import Settings


async def healthz(request: Request) -> Response:
    """Liveness: the process answers. Says nothing about upstreams (that is /readyz)."""
    return JSONResponse({"status": "ok", "version": __version__})


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    app = Starlette(routes=[Route("/healthz", healthz)])
    app.state.settings = settings
    return app
