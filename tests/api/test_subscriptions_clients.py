"""Real client libraries subscribe and receive: Node's graphql-ws, and gql on both subprotocols."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.websockets import WebsocketsTransport

from gateway.model.venue import Venue
from gateway.streams.types import Topic
from tests.api.ws_helpers import ScriptedGateway, scripted_gateway
from tests.node_tools import NODE_DIR, node_with
from tests.streams.doubles import TRADER, history_event

QUERY = "subscription($t: String!) { perpTradeHistory(where: {trader: $t}) { id venue market trader } }"
TOPIC = Topic("history", Venue.JUPITER, TRADER)


@pytest.fixture(scope="module")
def gw() -> Iterator[ScriptedGateway]:
    with scripted_gateway() as gateway:
        yield gateway


async def emit_until(gw: ScriptedGateway, received: asyncio.Future[Any], seq: int) -> Any:
    """Publish an event every 0.2 s until the client has one (it subscribes asynchronously)."""
    await asyncio.to_thread(gw.wait_running, TOPIC.name)
    for attempt in range(100):
        event = history_event(TOPIC, seq)
        event = dataclasses.replace(event, id=f"{event.id}-{attempt}-{time.monotonic()}")  # not a duplicate
        await asyncio.to_thread(gw.bridges.emit_threadsafe, event)
        done, _ = await asyncio.wait({received}, timeout=0.2)
        if done:
            return received.result()
    raise AssertionError("the client never received an event")


EXPECTED = [{"id": 41, "venue": "JUPITER", "market": "SOL", "trader": TRADER}]


async def test_node_graphql_ws_client_subscribes_and_receives(gw: ScriptedGateway) -> None:
    node = node_with("graphql-ws")
    proc = await asyncio.create_subprocess_exec(
        node, str(NODE_DIR / "subscribe.mjs"), gw.url, QUERY, json.dumps({"t": TRADER}), "1",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = asyncio.ensure_future(proc.stdout.readline())
    try:
        first = await emit_until(gw, line, 41)
        assert json.loads(first) == {"data": {"perpTradeHistory": EXPECTED}}
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


@pytest.mark.parametrize("subprotocol", [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL,
                                         WebsocketsTransport.APOLLO_SUBPROTOCOL])
async def test_gql_client_subscribes_and_receives(gw: ScriptedGateway, subprotocol: str) -> None:
    transport = WebsocketsTransport(url=gw.url, subprotocols=[subprotocol], close_timeout=1)
    async with Client(transport=transport, fetch_schema_from_transport=False) as session:
        first: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

        async def read() -> None:
            async for data in session.subscribe(GraphQLRequest(gql(QUERY), variable_values={"t": TRADER})):
                first.set_result(data)
                return

        reader = asyncio.create_task(read())
        try:
            assert await emit_until(gw, first, 41) == {"perpTradeHistory": EXPECTED}
            await asyncio.wait_for(reader, 10)
        finally:
            reader.cancel()
