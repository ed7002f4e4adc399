"""gql's own execute_timeout follows the gateway's upstream timeout and surfaces as UPSTREAM_TIMEOUT.

gql's Client bounds each execution by `execute_timeout` (10 s by default) and raises the builtin
TimeoutError, which nobody mapped: a Sai Keeper slower than 10 s was an INTERNAL_SERVER_ERROR, and a
GATEWAY_UPSTREAM_TIMEOUT above 10 s had no effect. httpx.MockTransport enforces no httpx timeout,
so here only gql's can fire.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.errors import UpstreamTimeout
from gateway.sources.nibiru.client import EXECUTE_MARGIN, NibiruClient, map_gql_error


async def test_gql_execute_timeout_follows_the_upstream_timeout_and_is_mapped() -> None:
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await never.wait()
        return httpx.Response(200, json={"data": {}})

    client = NibiruClient("https://nibiru.test/query", timeout=0.2, transport=httpx.MockTransport(hang))
    try:
        async with asyncio.timeout(0.2 + EXECUTE_MARGIN + 3):  # far less than gql's default 10 s
            with pytest.raises(UpstreamTimeout) as info:
                await client.execute("query GatewayBorrowings { perp { borrowings { marketId } } }", {})
    finally:
        await client.aclose()
    assert info.value.extensions() == {"code": "UPSTREAM_TIMEOUT", "source": "nibiru"}


def test_a_timeout_above_gqls_default_is_kept() -> None:
    client = NibiruClient("https://nibiru.test/query", timeout=25.0)
    assert client._client.execute_timeout == 25.0 + EXECUTE_MARGIN


def test_a_bare_timeout_error_maps_to_upstream_timeout() -> None:
    assert isinstance(map_gql_error(TimeoutError()), UpstreamTimeout)
