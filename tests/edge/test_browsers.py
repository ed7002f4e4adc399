"""Browsers on other origins: CORS preflight and answers, and the WebSocket Origin check."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import httpx
import pytest
import websockets

from gateway.edge.settings import EdgeSettings
from tests.api.ws_helpers import TRANSPORT, ScriptedGateway, recv_json, scripted_gateway, send_json

PAGE = "http://page.example:8080"
PREFLIGHT = {"Origin": PAGE, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type, authorization"}


def base_of(gw: ScriptedGateway) -> str:
    return gw.url.replace("ws", "http", 1).removesuffix("/graphql")


@pytest.fixture(scope="module")
def open_gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway() as gateway:  # the default: any origin, no credentials
        yield gateway


@pytest.fixture(scope="module")
def listed_gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway(edge=dataclasses.replace(EdgeSettings(), cors_origins=(PAGE,))) as gateway:
        yield gateway


async def test_preflight_and_answer_allow_any_origin_by_default(open_gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=base_of(open_gw), timeout=10) as client:
        preflight = await client.options("/graphql", headers=PREFLIGHT)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in preflight.headers
        answer = await client.post("/graphql", json={"query": "{ __typename }"}, headers={"Origin": PAGE})
        assert answer.headers["access-control-allow-origin"] == "*"
        exposed = answer.headers["access-control-expose-headers"].lower()
        assert "x-gateway-cache" in exposed and "x-request-id" in exposed  # a page can quote its request id
        assert answer.headers["x-request-id"]


async def test_a_listed_origin_only_is_allowed(listed_gw: ScriptedGateway) -> None:
    async with httpx.AsyncClient(base_url=base_of(listed_gw), timeout=10) as client:
        assert (await client.options("/graphql", headers=PREFLIGHT)).headers["access-control-allow-origin"] == PAGE
        other = await client.options("/graphql", headers={**PREFLIGHT, "Origin": "http://evil.example"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers


async def test_websocket_origins_follow_the_cors_list(open_gw: ScriptedGateway, listed_gw: ScriptedGateway) -> None:
    for gw, origin in ((open_gw, "http://evil.example"), (listed_gw, PAGE), (listed_gw, None)):
        async with websockets.connect(gw.url, subprotocols=[TRANSPORT], origin=origin) as ws:  # type: ignore[arg-type,list-item]
            await send_json(ws, {"type": "connection_init"})
            assert (await recv_json(ws))["type"] == "connection_ack"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(listed_gw.url, subprotocols=[TRANSPORT],  # type: ignore[list-item]
                                 origin="http://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403
