"""The alert WebSocket (`wss://perpstracker.com:5001/ws/alerts` upstream).

Protocol: the server greets with `connected`; the client sends `{"type":"auth","apiKey":...}` and
gets `auth_success` (Elite) or `auth_error` (unknown key, or Pro: "Elite subscription required for
WebSocket alerts"); `{"type":"ping"}` gets `{"type":"pong"}` at any time; after auth the server
pushes a `trade` message for each trade of a wallet on that key's watchlist with alerts on.
Messages that are not JSON objects of a known type are ignored (the docs define no error reply).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from sandbox.perpstracker.alerts import Connection
from sandbox.perpstracker.auth import ELITE, PLANS
from sandbox.perpstracker.service import Service

log = logging.getLogger(__name__)
TOO_SLOW = 1013  # "try again later": the client fell a full queue behind


def ws_route(svc: Service) -> WebSocketRoute:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        lock = asyncio.Lock()  # the reader (replies) and the pump (alerts) share the socket

        async def send(message: dict[str, object]) -> None:
            async with lock:
                await ws.send_text(json.dumps(message))

        async def pump(conn: Connection) -> None:
            try:
                while True:
                    message = await conn.queue.get()
                    if message is None:
                        await ws.close(code=TOO_SLOW, reason="Client too slow")
                        return
                    await send(message)
            except (WebSocketDisconnect, RuntimeError, OSError) as exc:  # the client went away
                log.debug("alert socket closed while sending: %s", exc)

        conn: Connection | None = None
        writer: asyncio.Task[None] | None = None
        await send({"type": "connected", "message": "Connected to PerpsTracker alerts. Send an auth message "
                                                    "with your API key to subscribe."})
        try:
            while True:
                frame = await ws.receive()
                if frame["type"] == "websocket.disconnect":
                    break
                message = _parse(frame.get("text") or frame.get("bytes"))
                kind = message.get("type") if message else None
                if kind == "ping":
                    await send({"type": "pong"})
                elif kind == "auth" and message is not None:
                    key = message.get("apiKey")
                    plan = PLANS.get(key) if isinstance(key, str) else None
                    if plan is None:
                        await send({"type": "auth_error", "message": "Invalid API key"})
                        continue
                    if plan != ELITE:
                        await send({"type": "auth_error",
                                    "message": "Elite subscription required for WebSocket alerts"})
                        continue
                    assert isinstance(key, str)
                    if conn is not None:  # re-authentication replaces the subscription
                        svc.hub.connections.discard(conn)
                    if writer is not None:
                        writer.cancel()
                    conn = Connection(key)
                    svc.hub.connections.add(conn)
                    watched = sum(1 for e in svc.store.account(key).watchlist.values() if e.alerts)
                    await send({"type": "auth_success", "plan": plan, "watchedWallets": watched,
                                "message": f"Subscribed to {watched} wallets with alerts enabled"})
                    writer = asyncio.create_task(pump(conn))
        except WebSocketDisconnect:
            pass
        finally:
            if conn is not None:
                svc.hub.connections.discard(conn)
            if writer is not None:
                writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await writer

    return WebSocketRoute("/ws/alerts", endpoint)


def _parse(raw: str | bytes | None) -> dict[str, object] | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
