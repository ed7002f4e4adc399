"""The made-up DYDX upstream: `GET /fills/{trader}`, and `POST /fills/{trader}` to add a fill."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def create_upstream() -> tuple[Starlette, dict[str, list[dict[str, Any]]]]:
    fills: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def read(request: Request) -> JSONResponse:
        return JSONResponse({"fills": fills[request.path_params["trader"]]})

    async def add(request: Request) -> JSONResponse:
        fills[request.path_params["trader"]].append(await request.json())
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/fills/{trader}", read, methods=["GET"]),
                            Route("/fills/{trader}", add, methods=["POST"])])
    return app, fills
