"""The legacy `graphql-ws` subprotocol (Apollo's subscriptions-transport-ws), for older clients.

connection_init → connection_ack then `ka` every GATEWAY_WS_KEEPALIVE seconds (the endpoint's
ticker sends them); start before the ack: 4401; a start reusing a running id replaces it (as
Apollo's server does); stop ends an operation and is answered with complete;
connection_terminate closes with 1000. Malformed messages get `connection_error` (init) or an
`error` for the operation; unknown types are ignored, as the original server does.
"""

from __future__ import annotations

import json

from gateway.ws import protocols
from gateway.ws.protocols import LEGACY, LegacyFraming
from gateway.ws.session import Session


class LegacyWsSession(Session):
    framing: LegacyFraming = LEGACY

    async def handle(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict):
            return
        kind = message.get("type")
        if kind == "connection_init":
            payload = message.get("payload")
            if payload is not None and not isinstance(payload, dict):
                self.push(self.framing.connection_error("Invalid connection init payload"))
                self.close(protocols.NORMAL, "")
                return
            self.init_received = True
            if not self.authorize(payload):
                return
            self.acknowledged = True
            self.push(self.framing.ack())
            self.push(self.framing.keep_alive())
        elif kind == "start":
            if not self.acknowledged:
                self.close(protocols.UNAUTHORIZED, "Unauthorized")
                return
            op_id, payload = message.get("id"), message.get("payload")
            if not isinstance(op_id, str) or not op_id:
                return
            if len(op_id) > self.endpoint.settings.edge.ws_max_id:
                self.close(protocols.INVALID_MESSAGE, "Operation id too long")
                return
            query = payload.get("query") if isinstance(payload, dict) else None
            variables = payload.get("variables") if isinstance(payload, dict) else None
            name = payload.get("operationName") if isinstance(payload, dict) else None
            if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)) \
                    or not (name is None or isinstance(name, str)):
                self.push(self.framing.error(op_id, [{"message": "Invalid start message",
                                                   "extensions": {"code": "BAD_USER_INPUT"}}]))
                return
            self.stop(op_id)
            await self.start(op_id, query, variables, name)
        elif kind == "stop":
            op_id = message.get("id")
            if isinstance(op_id, str) and self.stop(op_id):
                self.push(self.framing.complete(op_id))
        elif kind == "connection_terminate":
            self.close(protocols.NORMAL, "")
