"""Helpers for WebSocket tests: a gateway with scripted bridges, raw protocol clients."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import websockets
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection

from gateway.app import create_app
from gateway.settings import Secret, Settings
from tests.configure import configure
from tests.servers import serve
from tests.streams.doubles import ScriptedBridges

TRANSPORT = "graphql-transport-ws"
LEGACY = "graphql-ws"


@dataclass
class ScriptedGateway:
    app: Starlette
    bridges: ScriptedBridges
    url: str  # ws://…/graphql

    def wait_running(self, topic: str, timeout: float = 10.0) -> None:
        """Block until the topic's bridge runs (from the test's thread; bounded)."""
        import time

        deadline = time.monotonic() + timeout
        while topic not in self.bridges.running:
            if time.monotonic() > deadline:
                raise AssertionError(f"bridge {topic} never started")
            time.sleep(0.01)


@contextmanager
def scripted_gateway(**overrides: Any) -> Iterator[ScriptedGateway]:
    """The gateway on a real socket with in-process bridges the test drives. JUPITER is configured
    (a key that is never used: its bridges are scripted), HYPERLIQUID is not."""
    bridges = ScriptedBridges()
    options: dict[str, Any] = {"stream_linger": 0.2, "ws_init_timeout": 2.0, **overrides}
    settings = configure(Settings(sandbox="off"), perpstracker_api_key=Secret("unused"), **options)
    app = create_app(settings, bridges=bridges)
    with serve(app) as base:
        yield ScriptedGateway(app, bridges, base.replace("http", "ws", 1) + "/graphql")


async def recv_json(ws: ClientConnection, within: float = 10.0) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    return message


async def send_json(ws: ClientConnection, message: dict[str, Any]) -> None:
    await ws.send(json.dumps(message))


async def connect(url: str, subprotocol: str = TRANSPORT, **kw: Any) -> ClientConnection:
    """A connected, acknowledged socket."""
    ws = await websockets.connect(url, subprotocols=[subprotocol], **kw)  # type: ignore[list-item]
    await send_json(ws, {"type": "connection_init", "payload": {}})
    assert (await recv_json(ws))["type"] == "connection_ack"
    if subprotocol == LEGACY:
        assert (await recv_json(ws))["type"] == "ka"
    return ws


async def subscribe(ws: ClientConnection, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
    """Subscribe and wait until the gateway is subscribed: the gateway answers a ping sent after a
    subscribe only once that subscription receives events."""
    await send_json(ws, {"type": "subscribe", "id": op_id, "payload": {"query": query, "variables": variables or {}}})
    await send_json(ws, {"type": "ping"})
    while True:
        message = await recv_json(ws)
        if message["type"] == "pong":
            return
        raise AssertionError(f"expected pong, got {message}")


async def closed_with(ws: ClientConnection, within: float = 10.0) -> int | None:
    """The close code the server sent (reading whatever came before it)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), within)
    except websockets.ConnectionClosed:
        pass
    return ws.close_code


@contextmanager
def gateway_process(sandbox: str, **env: str) -> Iterator[tuple[str, Any]]:
    """`gateway serve` as a child process pointed at a sandbox; yields (ws URL, Popen)."""
    import os

    from gateway.cli import gateway_process as serve_process

    ws = sandbox.replace("http", "ws", 1)
    full = dict(os.environ)
    for name in ("PERPSTRACKER_API_KEY", "NANSEN_API_KEY"):  # only venues the test configures itself
        full.pop(name, None)
    full.update(GATEWAY_SANDBOX="off", NIBIRU_GRAPHQL_URL=f"{sandbox}/nibiru/query",
                NIBIRU_WS_URL=f"{ws}/nibiru/query", **env)
    with serve_process(full) as (base, proc):
        yield base.replace("http", "ws", 1) + "/graphql", proc
