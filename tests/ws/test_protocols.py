"""Outgoing messages of both subprotocols, built by splicing an operation id around one payload."""

from __future__ import annotations

import json

from gateway.ws.protocols import LEGACY, TRANSPORT, choose

PAYLOAD = json.dumps({"data": {"perpTrades": [{"id": 1, "market": "SOL"}]}}, separators=(",", ":"))


def test_next_is_the_shared_payload_between_a_per_operation_prefix_and_a_brace() -> None:
    for wire, kind in ((TRANSPORT, "next"), (LEGACY, "data")):
        for op_id in ("1", 'quote"and\\slash', "ünï"):
            message = wire.next_prefix(op_id)
            assert json.loads(message + PAYLOAD + "}") == {"id": op_id, "type": kind, "payload": json.loads(PAYLOAD)}
            assert wire.next(op_id, PAYLOAD) == message + PAYLOAD + "}"


def test_error_payloads_are_a_list_or_one_error_per_subprotocol() -> None:
    errors = [{"message": "bad", "extensions": {"code": "BAD_USER_INPUT"}}, {"message": "also"}]
    assert json.loads(TRANSPORT.error("x", errors)) == {"id": "x", "type": "error", "payload": errors}
    assert json.loads(LEGACY.error("x", errors)) == {"id": "x", "type": "error", "payload": errors[0]}
    assert json.loads(TRANSPORT.complete("x")) == {"id": "x", "type": "complete"}


def test_pong_echoes_an_object_payload_only() -> None:
    assert json.loads(TRANSPORT.pong({"t": 1})) == {"type": "pong", "payload": {"t": 1}}
    assert json.loads(TRANSPORT.pong("text")) == {"type": "pong"}


def test_the_modern_subprotocol_wins_when_both_are_offered() -> None:
    assert choose(["graphql-ws", "graphql-transport-ws"]) is TRANSPORT
    assert choose(["graphql-ws"]) is LEGACY
    assert choose(["something-else"]) is None
