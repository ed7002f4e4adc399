"""`graphql-transport-ws` (graphql-ws's PROTOCOL.md): the client messages and their close codes.

connection_init → connection_ack (a second one: 4429); ping → pong at any time; subscribe before
the ack: 4401; a subscribe whose id is running: 4409; anything malformed or unknown: 4400;
complete stops an operation (the server sends nothing back, per the spec).
"""

from __future__ import annotations

import json
from typing import Any

from gateway.ws import protocols
from gateway.ws.protocols import TRANSPORT, TransportFraming
from gateway.ws.session import Session

Operation = tuple[str, str | None, dict[str, Any] | None, str | None, dict[str, Any] | None]


def _operation(message: dict[str, Any]) -> Operation | None:
    """(id, query, variables, operationName, extensions) of a well-formed subscribe message, else
    None. The query may be missing when extensions name a persisted one."""
    op_id, payload = message.get("id"), message.get("payload")
    if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
        return None
    query, variables = payload.get("query"), payload.get("variables")
    name, extensions = payload.get("operationName"), payload.get("extensions")
    if not (extensions is None or isinstance(extensions, dict)):
        return None
    persisted = query is None and extensions is not None and "persistedQuery" in extensions
    if not (isinstance(query, str) or persisted) or not (variables is None or isinstance(variables, dict)):
        return None
    if not (name is None or isinstance(name, str)):
        return None
    return op_id, query, variables, name, extensions


class TransportWsSession(Session):
    framing: TransportFraming = TRANSPORT

    async def handle(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self.close(protocols.INVALID_MESSAGE, "Invalid message received")
            return
        kind = message["type"]
        if kind == "connection_init":
            if self.init_received:
                self.close(protocols.TOO_MANY_INIT, "Too many initialisation requests")
                return
            payload = message.get("payload")
            if payload is not None and not isinstance(payload, dict):
                self.close(protocols.INVALID_MESSAGE, "Invalid connection init payload")
                return
            self.init_received = True
            if not self.authorize(payload):
                return
            self.acknowledged = True
            self.push(self.framing.ack())
        elif kind == "ping":
            self.push(self.framing.pong(message.get("payload")))
        elif kind == "pong":
            return
        elif kind == "subscribe":
            if not self.acknowledged:
                self.close(protocols.UNAUTHORIZED, "Unauthorized")
                return
            operation = _operation(message)
            if operation is None:
                self.close(protocols.INVALID_MESSAGE, "Invalid subscribe message")
                return
            op_id, query, variables, name, extensions = operation
            if len(op_id) > self.endpoint.settings.edge.ws_max_id:
                self.close(protocols.INVALID_MESSAGE, "Operation id too long")
                return
            if op_id in self.ops:
                self.close(protocols.SUBSCRIBER_EXISTS, f"Subscriber for {op_id[:64]} already exists")
                return
            await self.start(op_id, query, variables, name, extensions)
        elif kind == "complete":
            done = message.get("id")
            if not isinstance(done, str):
                self.close(protocols.INVALID_MESSAGE, "Invalid complete message")
                return
            self.stop(done)
        else:
            self.close(protocols.INVALID_MESSAGE, f"Unknown message type: {kind[:40]}")
