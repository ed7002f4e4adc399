"""A `down` fault closes the upstream's open WebSockets with 1011 and refuses new ones until cleared."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError, InvalidStatus


async def test_down_closes_open_alert_sockets_and_refuses_new_ones(
    control: httpx.AsyncClient, sandbox_url: str
) -> None:
    url = sandbox_url.replace("http", "ws") + "/perpstracker/ws/alerts"
    async with connect(url) as ws:
        assert json.loads(await ws.recv())["type"] == "connected"
        await control.post("/faults", json={"upstream": "perpstracker", "mode": "down"})
        with pytest.raises(ConnectionClosedError):
            await asyncio.wait_for(ws.recv(), 10)
        assert ws.close_code == 1011
    with pytest.raises(InvalidStatus):
        async with connect(url):
            pass
    await control.delete("/faults")
    async with connect(url) as ws:
        assert json.loads(await ws.recv())["type"] == "connected"


async def test_down_on_one_upstream_leaves_the_others_sockets_open(
    control: httpx.AsyncClient, sandbox_url: str
) -> None:
    url = sandbox_url.replace("http", "ws") + "/perpstracker/ws/alerts"
    async with connect(url) as ws:
        assert json.loads(await ws.recv())["type"] == "connected"
        await control.post("/faults", json={"upstream": "nibiru", "mode": "down"})
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10)) == {"type": "pong"}
