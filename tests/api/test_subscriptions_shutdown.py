"""Graceful shutdown: every operation gets `complete`, sockets close 1001, every bridge is cancelled."""

from __future__ import annotations

import asyncio

import websockets

from gateway.model.venue import Venue
from gateway.streams.types import Topic
from tests.api.ws_helpers import LEGACY, connect, recv_json, scripted_gateway, send_json, subscribe
from tests.streams.doubles import TRADER

HISTORY = "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id } }"
LIVE = "subscription { perpLiveTrades { id } }"


async def _until_closed(ws: websockets.ClientConnection) -> list[dict[str, object]]:
    messages = []
    try:
        while True:
            message = await recv_json(ws, within=30)
            if message["type"] != "ka":
                messages.append(message)
    except websockets.ConnectionClosed:
        return messages


async def test_shutdown_completes_every_operation_then_closes_1001() -> None:
    context = scripted_gateway(stream_linger=60)
    gw = context.__enter__()
    exited = False
    try:
        modern = await connect(gw.url)
        await subscribe(modern, "a", HISTORY, {"t": TRADER})
        await subscribe(modern, "b", LIVE)
        legacy = await connect(gw.url, LEGACY)
        await send_json(legacy, {"type": "start", "id": "1", "payload": {"query": HISTORY, "variables": {"t": TRADER}}})
        gw.wait_running(Topic("history", Venue.JUPITER, TRADER).name)
        gw.wait_running("live:NIBIRU:")
        running = set(gw.bridges.running)

        readers = [asyncio.create_task(_until_closed(ws)) for ws in (modern, legacy)]
        await asyncio.to_thread(context.__exit__, None, None, None)  # the server shuts down
        exited = True
        got_modern, got_legacy = await asyncio.gather(*readers)

        assert sorted(m["id"] for m in got_modern if m["type"] == "complete") == ["a", "b"]
        assert [m for m in got_legacy if m["type"] == "complete"] == [{"id": "1", "type": "complete"}]
        assert modern.close_code == 1001 and legacy.close_code == 1001
        assert not gw.bridges.running  # every bridge cancelled…
        assert all(gw.bridges.stops[name] == 1 for name in running)  # …once
    finally:
        if not exited:
            context.__exit__(None, None, None)
