"""Sai Keeper simulator pieces in-process: Go number/time formats, the 64-bit Int, the protocol
state machine, and that a finished subscription leaves no listener on the market."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import print_schema

from sandbox.nibiru import engine
from sandbox.nibiru.gojson import dumps, go_float
from sandbox.nibiru.history import NibiruIndex
from sandbox.nibiru.resolvers import SaiEnv
from sandbox.nibiru.scalars import rfc3339nano
from sandbox.nibiru.schema import sai_schema
from sandbox.nibiru.ws_protocol import Close, LegacyWS, Send, Start, Stop, TransportWS, negotiate
from sandbox.state import SandboxState


@pytest.mark.parametrize(("value", "text"), [
    (97234.5, "97234.5"), (10.0, "10"), (100000.0, "100000"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
    (2377788350000.0, "2.37778835e+12"), (0.0006, "0.0006"), (1e-05, "1e-05"), (-0.011, "-0.011"),
    (-3.5e-07, "-3.5e-07"), (0.0, "0"),
])
def test_floats_are_written_like_go_percent_g(value: float, text: str) -> None:
    assert go_float(value) == text


def test_json_escapes_html_like_encoding_json() -> None:
    assert dumps({"m": "<a&b>", "n": [1, 2.5, None, True]}) == '{"m":"\\u003ca\\u0026b\\u003e","n":[1,2.5,null,true]}'


def test_time_is_rfc3339_nano_trimmed() -> None:
    assert rfc3339nano(1_765_886_400_000) == "2025-12-16T12:00:00Z"
    assert rfc3339nano(1_765_886_400_120) == "2025-12-16T12:00:00.12Z"


def test_schema_int_is_64_bit_but_prints_as_int() -> None:
    schema = sai_schema()
    sdl = print_schema(schema)
    assert "scalar Int" not in sdl and "collateralAmount: Int!" in sdl and "scalar Time" in sdl
    assert schema.type_map["Int"].serialize(2_377_788_350_000) == 2_377_788_350_000  # type: ignore[attr-defined]
    op = engine.prepare(schema, "query($id: Int!) { perp { trade(id: $id, trader: \"x\") { id } } }", None,
                        {"id": 2**62})
    assert op.variables == {"id": 2**62}
    with pytest.raises(engine.RequestError):
        engine.prepare(schema, "query($id: Int!) { perp { trade(id: $id, trader: \"x\") { id } } }", None,
                       {"id": 2**63})


def test_transport_ws_state_machine() -> None:
    proto = TransportWS()
    assert proto.receive('{"type":"subscribe","id":"1","payload":{"query":"{x}"}}') == [Close(4401, "Unauthorized")]
    assert proto.receive('{"type":"connection_init"}') == [Send({"type": "connection_ack"})]
    assert proto.receive('{"type":"connection_init"}') == [Close(4429, "Too many initialisation requests")]
    assert proto.receive('{"type":"subscribe","id":"1","payload":{"query":"{x}"}}') == [Start("1", {"query": "{x}"})]
    assert proto.receive('{"type":"subscribe","id":"1","payload":{}}') == [Close(4409, "Subscriber for 1 already exists")]
    assert proto.receive('{"type":"complete","id":"1"}') == [Stop("1")]
    assert proto.receive("[]") == [Close(4400, "Invalid message received")]
    assert proto.receive('{"type":"ping"}') == [Send({"type": "pong"})]


def test_legacy_state_machine_and_negotiation() -> None:
    proto = LegacyWS()
    assert proto.receive('{"type":"connection_init"}') == [Send({"type": "connection_ack"}), Send({"type": "ka"})]
    assert proto.receive('{"type":"start","id":"a","payload":{}}') == [Start("a", {})]
    assert proto.receive('{"type":"start","id":"a","payload":{}}') == [Stop("a"), Start("a", {})]
    assert proto.receive('{"type":"connection_terminate"}') == [Close(1000, "terminated")]
    assert isinstance(negotiate(["graphql-transport-ws", "graphql-ws"]), LegacyWS)
    assert isinstance(negotiate(["graphql-transport-ws"]), TransportWS)
    assert negotiate([]).subprotocol is None


@pytest.fixture(scope="module")
def state() -> SandboxState:
    return SandboxState.create(warmup_days=0.2)


async def _open(state: SandboxState, query: str) -> tuple[SaiEnv, Any]:
    env = SaiEnv(state, NibiruIndex())
    stream = await engine.open_stream(sai_schema(), engine.prepare(sai_schema(), query, None, None), env)
    assert not isinstance(stream, dict)
    return env, stream


async def test_closing_a_subscription_removes_its_listeners(state: SandboxState) -> None:
    market = state.market
    listeners, steps = len(market.listeners), len(market.step_listeners)
    env, stream = await _open(state, "subscription { perpBorrowing(collateralId: 1, marketId: 1) { oiLong } }")
    assert (len(market.listeners), len(market.step_listeners)) == (listeners + 1, steps + 1)
    market.step(60)
    body = await asyncio.wait_for(stream.__anext__(), 5)
    assert isinstance(body["data"]["perpBorrowing"]["oiLong"], int)
    env.close()  # what the transports do when an operation ends, even one never iterated
    assert (len(market.listeners), len(market.step_listeners)) == (listeners, steps)
    await stream.aclose()


async def test_a_lagging_subscriber_never_blocks_the_market(state: SandboxState) -> None:
    env, stream = await _open(state, "subscription { perpBorrowings { marketId } }")
    for _ in range(300):  # more steps than the queue holds, nobody reading
        state.market.step(1)
    body = await asyncio.wait_for(stream.__anext__(), 5)
    assert len(body["data"]["perpBorrowings"]) == 12
    env.close()
    await stream.aclose()
