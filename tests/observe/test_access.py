"""The access line of a WebSocket handshake the edge refuses (an Origin not allowed): 403, not 101."""

from __future__ import annotations

import dataclasses
import logging

import pytest
import websockets

from gateway.edge.settings import EdgeSettings
from tests.api.ws_helpers import TRANSPORT, connect, scripted_gateway


async def test_a_refused_handshake_is_logged_403_and_an_accepted_one_101(caplog: pytest.LogCaptureFixture) -> None:
    edge = dataclasses.replace(EdgeSettings(), cors_origins=("http://page.example",))
    with caplog.at_level(logging.INFO, logger="gateway.access"), scripted_gateway(edge=edge) as gw:
        with pytest.raises(websockets.InvalidStatus):
            await websockets.connect(gw.url, subprotocols=[TRANSPORT],  # type: ignore[list-item]
                                     origin="http://evil.example")  # type: ignore[arg-type]
        ws = await connect(gw.url)
        await ws.close()
    statuses = [r.status for r in caplog.records if r.name == "gateway.access" and r.method == "WS"]  # type: ignore[attr-defined]
    assert sorted(statuses) == [101, 403]
