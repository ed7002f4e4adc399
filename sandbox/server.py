"""The sandbox as one ASGI app: three simulators, the request log, faults, and a control surface.

Layout on one port (the gateway's configuration points at these, see docs/sandbox.md):

    /perpstracker/api/...        PerpsTracker REST      /perpstracker/ws/alerts  its alert WebSocket
    /nansen/api/v1/...           Nansen REST
    /nibiru/query             Sai Keeper GraphQL over HTTP and graphql-transport-ws
    /_control/...                test control: step the clock, inject trades, counters, faults
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox import faults as body_faults
from sandbox import nansen, nibiru, perpstracker
from sandbox.state import UPSTREAMS, Fault, RequestRecord, SandboxState

FAULT_MODES = ("error", "slow", "down", *body_faults.BODY_MODES)

CategoryOf = Callable[[str, str], "str | None"]


class UpstreamWrapper:
    """Records every request to one simulated upstream and applies its injected fault."""

    def __init__(self, app: ASGIApp, upstream: str, state: SandboxState, category_of: CategoryOf | None) -> None:
        self.app, self.upstream, self.state, self.category_of = app, upstream, state, category_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = _below_mount(scope)
        method = scope.get("method", "WS")
        fault = self.state.faults.get(self.upstream)
        started = time.time()
        status_box = {"status": 101 if scope["type"] == "websocket" else 0}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_box["status"] = message["status"]
            elif message["type"] == "websocket.close" and status_box["status"] == 101:
                status_box["status"] = 101
            await send(message)

        try:
            if fault is not None and fault.mode == "slow":
                await asyncio.sleep(fault.delay)
            if fault is not None and fault.mode in ("error", "down"):
                status = fault.status if fault.mode == "error" else 502
                status_box["status"] = status
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1011})
                    return
                body = {"error": "Internal Server Error"} if fault.mode == "error" else {"error": "Bad Gateway"}
                headers = {"Retry-After": f"{fault.retry_after:g}"} if status == 429 else None
                await JSONResponse(body, status_code=status, headers=headers)(scope, receive, send)
                return
            if scope["type"] == "websocket":
                await self._websocket(scope, receive, send_wrapper)
            elif fault is not None and fault.mode in body_faults.BODY_MODES:
                status_box["status"] = await body_faults.answer(
                    fault.mode, fault.size, self.app, scope, receive, send)
            else:
                await self.app(scope, receive, send_wrapper)
        finally:
            category = self.category_of(method, path) if self.category_of else None
            self.state.record(RequestRecord(
                upstream=self.upstream, method=method, path=path,
                query=scope.get("query_string", b"").decode("latin-1"),
                status=status_box["status"], ts=time.time(), category=category, started=started,
                traceparent=next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), None),
            ))


    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run a WebSocket that a later `down` fault can close: the app's next `receive` then
        answers a disconnect after the client was sent close 1011."""
        killed = asyncio.Event()
        killers = self.state.ws_killers.setdefault(self.upstream, set())
        killers.add(killed.set)

        async def killable_receive() -> Message:
            if killed.is_set():
                return {"type": "websocket.disconnect", "code": 1011}
            incoming = asyncio.ensure_future(receive())
            kill = asyncio.ensure_future(killed.wait())
            done, _ = await asyncio.wait({incoming, kill}, return_when=asyncio.FIRST_COMPLETED)
            kill.cancel()
            if incoming in done:
                return incoming.result()
            incoming.cancel()
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": 1011})
            return {"type": "websocket.disconnect", "code": 1011}

        try:
            await self.app(scope, killable_receive, send)
        finally:
            killers.discard(killed.set)


def _below_mount(scope: Scope) -> str:
    """The request path below the upstream's mount prefix (e.g. /api/prices)."""
    path: str = scope["path"]
    for up in UPSTREAMS:
        prefix = "/" + up
        if path.startswith(prefix + "/") or path == prefix:
            return path[len(prefix):] or "/"
    return path


def _event_json(ev: object) -> dict[str, object]:
    return dataclasses.asdict(ev)  # type: ignore[call-overload, no-any-return]


def control_routes(state: SandboxState, clock: LiveClock) -> list[BaseRoute]:
    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def info(request: Request) -> Response:
        m = state.market
        return JSONResponse({
            "seed": m.seed, "now": m.now.isoformat(), "now_ms": m.now_ms, "events": len(m.events),
            "last_seq": m.events[-1].seq if m.events else 0, "live": clock.running,
            "rate_limits": state.rate_limits,
            "faults": {k: dataclasses.asdict(v) for k, v in state.faults.items()},
            # open WebSockets per upstream, as a client's socket count is seen from outside
            "websockets": {up: len(state.ws_killers.get(up, ())) for up in UPSTREAMS},
        })

    async def step(request: Request) -> Response:
        body = await _json(request)
        seconds = float(body.get("seconds", 1.0))
        steps = int(body.get("steps", 1))
        events = []
        for _ in range(steps):
            events.extend(state.market.step(seconds))
        return JSONResponse({"now_ms": state.market.now_ms, "events": [_event_json(e) for e in events]})

    async def inject(request: Request) -> Response:
        body = await _json(request)
        try:
            events = state.market.inject(
                body["venue"], body["trader"], body["symbol"], body["action"],
                is_long=bool(body.get("is_long", True)),
                size_usd=body.get("size_usd"), collateral_usd=body.get("collateral_usd"),
                price=body.get("price"), position_key=body.get("position_key"),
                reason=body.get("reason", "user"),
            )
        except (KeyError, ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"events": [_event_json(e) for e in events]})

    async def counters(request: Request) -> Response:
        if request.method == "POST":
            state.requests.clear()
            state.subscriptions.clear()
        return JSONResponse(state.counters())

    async def requests_log(request: Request) -> Response:
        up = request.query_params.get("upstream")
        since = float(request.query_params.get("since", 0))
        return JSONResponse([
            dataclasses.asdict(r) for r in state.requests
            if (up is None or r.upstream == up) and r.started >= since
        ])

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            up = request.query_params.get("upstream")
            if up:
                state.faults.pop(up, None)
            else:
                state.faults.clear()
            return JSONResponse({"faults": {}})
        body = await _json(request)
        up = body.get("upstream")
        if up not in UPSTREAMS or body.get("mode") not in FAULT_MODES:
            return JSONResponse({"error": f"upstream one of {UPSTREAMS}; mode one of {', '.join(FAULT_MODES)}"},
                                status_code=400)
        state.faults[up] = Fault(mode=body["mode"], status=int(body.get("status", 500)),
                                 delay=float(body.get("delay", 0.0)),
                                 size=int(body.get("size", body_faults.HUGE_DEFAULT)),
                                 retry_after=float(body.get("retry_after", 1.0)))
        if body["mode"] == "down":
            state.kill_websockets(up)
        return JSONResponse({"faults": {k: dataclasses.asdict(v) for k, v in state.faults.items()}})

    async def reset(request: Request) -> Response:
        body = await _json(request)
        start = datetime.fromisoformat(body["start"]) if body.get("start") else None
        state.reset(seed=int(body.get("seed", 7)), start=start)
        return JSONResponse({"seed": state.market.seed, "now_ms": state.market.now_ms})

    async def ratelimits(request: Request) -> Response:
        body = await _json(request)
        state.rate_limits = bool(body.get("enabled", True))
        return JSONResponse({"rate_limits": state.rate_limits})

    async def traders(request: Request) -> Response:
        venue = request.query_params.get("venue", "").upper()
        if venue not in state.market.traders:
            return JSONResponse({"error": "venue one of NIBIRU, JUPITER, HYPERLIQUID"}, status_code=400)
        m = state.market
        return JSONResponse([
            {"address": t.address, "label": t.label,
             "open_positions": len(m.trader_positions(venue, t.address, open_only=True)),
             "positions": len(m.trader_positions(venue, t.address))}
            for t in m.traders[venue].values()
        ])

    async def live(request: Request) -> Response:
        body = await _json(request)
        if body.get("enabled"):
            clock.start()
        else:
            clock.stop()
        return JSONResponse({"live": clock.running})

    return [
        Route("/health", health),
        Route("/state", info),
        Route("/step", step, methods=["POST"]),
        Route("/inject", inject, methods=["POST"]),
        Route("/counters", counters, methods=["GET", "POST"]),
        Route("/requests", requests_log),
        Route("/faults", faults, methods=["POST", "DELETE"]),
        Route("/reset", reset, methods=["POST"]),
        Route("/ratelimits", ratelimits, methods=["POST"]),
        Route("/traders", traders),
        Route("/live", live, methods=["POST"]),
    ]


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    import json

    data = json.loads(raw)
    return data if isinstance(data, dict) else {}


class LiveClock:
    """Keeps the simulated clock on the wall clock: one market step per second of real time."""

    def __init__(self, state: SandboxState, interval: float = 1.0) -> None:
        self.state, self.interval = state, interval
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            self.state.market.advance_to(int(time.time() * 1000), max_step_s=self.interval)


def create_sandbox_app(state: SandboxState | None = None, *, live: bool = False) -> Starlette:
    """The sandbox app. `live`: follow the wall clock (for `make run`); tests step it by hand."""
    if state is None:
        start = datetime.now(UTC).replace(microsecond=0) if live else None
        state = SandboxState.create(start=start)
    clock = LiveClock(state)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if live:
            clock.start()
        async with contextlib.AsyncExitStack() as stack:
            for module in (perpstracker, nansen, nibiru):
                starter = getattr(module, "lifespan", None)
                if starter is not None:
                    await stack.enter_async_context(starter(state))
            try:
                yield
            finally:
                clock.stop()

    def wrap(upstream: str, routes: list[BaseRoute], category_of: CategoryOf | None = None) -> Mount:
        inner = Starlette(routes=routes)
        return Mount("/" + upstream, app=UpstreamWrapper(inner, upstream, state, category_of))

    app = Starlette(
        routes=[
            wrap("perpstracker", perpstracker.build_routes(state), perpstracker.category_of),
            wrap("nansen", nansen.build_routes(state)),
            wrap("nibiru", nibiru.build_routes(state)),
            Mount("/_control", routes=control_routes(state, clock)),
        ],
        lifespan=lifespan,
    )
    app.state.sandbox = state
    return app
