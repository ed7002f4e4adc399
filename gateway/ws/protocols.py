"""The two GraphQL-over-WebSocket subprotocols: their outgoing messages and close codes.

`graphql-transport-ws` (the graphql-ws library's protocol, PROTOCOL.md) and the legacy
`graphql-ws` (Apollo's subscriptions-transport-ws) differ in message names (next/data) and in the
shape of an operation's error payload (a list of errors / one error). Messages are built as text
here because a subscription's payload is serialized once and spliced between a per-operation
prefix and a closing brace: only the operation id differs from one subscriber to the next.
"""

from __future__ import annotations

import json
from typing import Any

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"

# Close codes (docs/operations-streams.md lists when each is sent).
NORMAL = 1000  # legacy connection_terminate
GOING_AWAY = 1001  # server shutting down, after `complete` for every operation
TRY_AGAIN_LATER = 1013  # slow consumer: send buffer full, after an error on every operation
INVALID_MESSAGE = 4400  # also: a message over GATEWAY_WS_MAX_MESSAGE, an id over GATEWAY_WS_MAX_ID
UNAUTHORIZED = 4401  # subscribe/start before connection_ack
FORBIDDEN = 4403  # connection_init refused: caller access is on and the credentials are missing or wrong
SUBPROTOCOL_NOT_ACCEPTABLE = 4406
INIT_TIMEOUT = 4408
SUBSCRIBER_EXISTS = 4409
TOO_MANY_INIT = 4429
TERMINATED = 4499  # sent by clients (graphql-ws terminate()); the server only cleans up


def _id(op_id: str) -> str:
    return json.dumps(op_id)


class Framing:
    """Outgoing messages of one subprotocol."""

    name: str
    next_type: str

    def next_prefix(self, op_id: str) -> str:
        """`{"id":…,"type":"next","payload":` — append a serialized payload and `}`."""
        return f'{{"id":{_id(op_id)},"type":"{self.next_type}","payload":'

    def next(self, op_id: str, payload: str) -> str:
        return self.next_prefix(op_id) + payload + "}"

    def complete(self, op_id: str) -> str:
        return f'{{"id":{_id(op_id)},"type":"complete"}}'

    def error(self, op_id: str, errors: list[dict[str, Any]]) -> str:
        raise NotImplementedError

    def ack(self) -> str:
        return '{"type":"connection_ack"}'


class TransportFraming(Framing):
    name = TRANSPORT_WS
    next_type = "next"

    def error(self, op_id: str, errors: list[dict[str, Any]]) -> str:
        return json.dumps({"id": op_id, "type": "error", "payload": errors}, separators=(",", ":"))

    def pong(self, payload: Any = None) -> str:
        if isinstance(payload, dict):
            return json.dumps({"type": "pong", "payload": payload}, separators=(",", ":"))
        return '{"type":"pong"}'


class LegacyFraming(Framing):
    name = LEGACY_WS
    next_type = "data"

    def error(self, op_id: str, errors: list[dict[str, Any]]) -> str:
        # subscriptions-transport-ws carries one error object
        first = errors[0] if errors else {"message": "Unknown error"}
        return json.dumps({"id": op_id, "type": "error", "payload": first}, separators=(",", ":"))

    def keep_alive(self) -> str:
        return '{"type":"ka"}'

    def connection_error(self, message: str) -> str:
        return json.dumps({"type": "connection_error", "payload": {"message": message}}, separators=(",", ":"))


TRANSPORT = TransportFraming()
LEGACY = LegacyFraming()


def choose(offered: list[str]) -> Framing | None:
    """The subprotocol to speak: graphql-transport-ws if offered, else legacy graphql-ws, else none."""
    if TRANSPORT_WS in offered:
        return TRANSPORT
    if LEGACY_WS in offered:
        return LEGACY
    return None
