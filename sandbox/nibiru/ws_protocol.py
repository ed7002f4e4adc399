"""The two WebSocket sub-protocols gqlgen speaks, as pure state machines (no socket here).

`receive(text)` turns one client frame into actions for the socket layer: send a message,
close with a code, start or stop an operation. Outgoing messages keep gqlgen's key order
(`payload`, `id`, `type`; empty ones omitted).

- `graphql-transport-ws` (the graphql-ws library's protocol): the close codes of its spec,
  4400 invalid message, 4401 subscribe before connection_ack, 4409 duplicate subscription id,
  4429 repeated connection_init. (gqlgen itself closes with 1002 in those cases; the spec's
  codes are what conforming clients expect and what this project chose.) ping -> pong with the
  same payload.
- `graphql-ws` (legacy subscriptions-transport-ws), which gqlgen also selects when the client
  names no sub-protocol at all: connection_ack followed by `ka`, `start`/`stop`/`data`,
  `connection_error` then close 1002 on unexpected messages, 1000 on connection_terminate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


@dataclass(frozen=True)
class Send:
    message: dict[str, Any]


@dataclass(frozen=True)
class Close:
    code: int
    reason: str


@dataclass(frozen=True)
class Start:
    id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Stop:
    id: str


Action = Send | Close | Start | Stop


def message(type_: str, id_: str | None = None, payload: Any = None, *, has_payload: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if payload is not None or has_payload:
        out["payload"] = payload
    if id_:
        out["id"] = id_
    out["type"] = type_
    return out


def _decode(text: str) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("type"), str) else None


@dataclass
class TransportWS:
    subprotocol: str = TRANSPORT_WS
    data_type: str = "next"
    init_received: bool = False
    active: set[str] = field(default_factory=set)

    def receive(self, text: str) -> list[Action]:
        msg = _decode(text)
        if msg is None:
            return [Close(4400, "Invalid message received")]
        kind = msg["type"]
        if kind == "connection_init":
            if self.init_received:
                return [Close(4429, "Too many initialisation requests")]
            self.init_received = True
            return [Send(message("connection_ack"))]
        if kind == "ping":
            return [Send(message("pong", payload=msg.get("payload"), has_payload="payload" in msg))]
        if kind == "pong":
            return []
        if kind == "subscribe":
            id_, payload = msg.get("id"), msg.get("payload")
            if not isinstance(id_, str) or not id_ or not isinstance(payload, dict):
                return [Close(4400, "Invalid message received")]
            if not self.init_received:
                return [Close(4401, "Unauthorized")]
            if id_ in self.active:
                return [Close(4409, f"Subscriber for {id_} already exists")]
            self.active.add(id_)
            return [Start(id_, payload)]
        if kind == "complete":
            id_ = msg.get("id")
            if not isinstance(id_, str):
                return [Close(4400, "Invalid message received")]
            return [Stop(id_)] if id_ in self.active else []
        return [Close(4400, "Invalid message received")]

    def finished(self, id_: str) -> None:
        self.active.discard(id_)

    def keepalive(self) -> dict[str, Any] | None:
        return None  # gqlgen's keep-alive is a no-op on this protocol


LEGACY_TYPES = frozenset((
    "connection_init", "connection_terminate", "start", "stop",
    "connection_ack", "connection_error", "data", "error", "complete", "ka",
))


@dataclass
class LegacyWS:
    subprotocol: str | None = LEGACY_WS
    data_type: str = "data"
    init_received: bool = False
    active: set[str] = field(default_factory=set)

    def _unexpected(self, kind: str) -> list[Action]:
        return [Send(message("connection_error", payload={"message": f"unexpected message {kind}"})),
                Close(1002, "unexpected message")]

    def receive(self, text: str) -> list[Action]:
        msg = _decode(text)
        if not self.init_received:
            if msg is None:
                return [Send(message("connection_error", payload={"message": "invalid json"})),
                        Close(1002, "decoding error")]
            if msg["type"] not in LEGACY_TYPES:
                return [Close(1002, "decoding error")]
            if msg["type"] == "connection_init":
                self.init_received = True
                return [Send(message("connection_ack")), Send(message("ka"))]
            if msg["type"] == "connection_terminate":
                return [Close(1000, "terminated")]
            return self._unexpected(msg["type"])
        if msg is None or msg["type"] not in LEGACY_TYPES:
            # gqlgen stops reading and closes ("unexpected closure", 1006 on its side, a code
            # that may not be sent on the wire, hence 1002 here).
            return [Close(1002, "unexpected closure")]
        kind = msg["type"]
        if kind == "start":
            id_, payload = msg.get("id"), msg.get("payload")
            if not isinstance(id_, str) or not isinstance(payload, dict):
                return [Close(1002, "unexpected closure")]
            # gqlgen simply replaces an operation started again under the same id.
            stop: list[Action] = [Stop(id_)] if id_ in self.active else []
            self.active.add(id_)
            return [*stop, Start(id_, payload)]
        if kind == "stop":
            id_ = msg.get("id")
            return [Stop(id_)] if isinstance(id_, str) and id_ in self.active else []
        if kind == "connection_terminate":
            return [Close(1000, "terminated")]
        return self._unexpected(kind)

    def finished(self, id_: str) -> None:
        self.active.discard(id_)

    def keepalive(self) -> dict[str, Any] | None:
        return message("ka")


Protocol = TransportWS | LegacyWS


def negotiate(requested: list[str]) -> Protocol:
    """gorilla's Upgrader walks the *server's* list ([graphql-ws, graphql-transport-ws]) first,
    so a client offering both gets the legacy protocol; one offering neither gets legacy too,
    with no Sec-WebSocket-Protocol in the answer."""
    if LEGACY_WS in requested:
        return LegacyWS()
    if TRANSPORT_WS in requested:
        return TransportWS()
    return LegacyWS(subprotocol=None)
