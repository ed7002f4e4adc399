"""WebSocket `/graphql`: the ASGI endpoint for GraphQL over WebSocket, both subprotocols.

Strawberry keeps serving queries over HTTP; this endpoint replaces its WebSocket handler because
Strawberry executes every subscription once per subscriber per event, which cannot serve
thousands of subscribers of one stream. Here identical subscriptions share one execution
(groups.py) and each socket gets ready text through its bounded send buffer (connection.py).

Per socket: accept with `graphql-transport-ws` if offered, else `graphql-ws`, else close 4406;
close 4408 if no connection_init arrives within GATEWAY_WS_INIT_TIMEOUT; read messages in order
(session.py); on leaving, every operation is left. `drain()` is the graceful shutdown: every
operation gets `complete`, every socket close 1001, and it waits (bounded) for them to flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import strawberry
from starlette.types import Receive, Scope, Send

from gateway.edge.browsers import origin_allowed
from gateway.observe.metrics import WEBSOCKETS
from gateway.settings import Settings
from gateway.ws import protocols
from gateway.ws.connection import Connection
from gateway.ws.groups import Groups
from gateway.ws.legacy_ws import LegacyWsSession
from gateway.ws.session import Session
from gateway.ws.transport_ws import TransportWsSession

if TYPE_CHECKING:
    from gateway.edge.gate import EdgeGate

# Every live endpoint of this process, so the server can drain them before it closes sockets.
_CREDENTIAL_KEYS = frozenset({"authorization", "x-api-key", "apikey", "token"})
ENDPOINTS: weakref.WeakSet[SubscriptionEndpoint] = weakref.WeakSet()


class SubscriptionEndpoint:
    def __init__(self, schema: strawberry.Schema, context_factory: Callable[[], Awaitable[Any]],
                 settings: Settings, gate: EdgeGate | None = None) -> None:
        self.settings = settings
        self.gate = gate  # caller access and persisted operations, as over HTTP (gateway/edge)
        self.groups = Groups(schema, context_factory)
        self.sessions: set[Session] = set()
        # per caller, how many of its admitted subscriptions follow each topic (GATEWAY_CALLER_MAX_TOPICS)
        self.caller_topics: dict[str, Counter[str]] = {}
        self.counters: Counter[str] = Counter()
        self._ticker: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None  # the server loop it serves (set on first use)
        self.draining = False
        ENDPOINTS.add(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        self.loop = self.loop or asyncio.get_running_loop()
        origin = next((v.decode("latin-1") for n, v in scope.get("headers", []) if n == b"origin"), None)
        if not origin_allowed(self.settings.edge, origin):
            self.counters["origins_refused"] += 1
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        framing = protocols.choose(list(scope.get("subprotocols") or []))
        if framing is None or self.draining:
            await send({"type": "websocket.accept"})
            code = protocols.SUBPROTOCOL_NOT_ACCEPTABLE if framing is None else protocols.GOING_AWAY
            reason = "Subprotocol not acceptable" if framing is None else "server shutting down"
            await send({"type": "websocket.close", "code": code, "reason": reason})
            return
        await send({"type": "websocket.accept", "subprotocol": framing.name})
        self._ensure_ticker()
        handler = asyncio.current_task()
        assert handler is not None
        session: Session

        def abort() -> None:
            handler.cancel()

        conn = Connection(send, self.settings.ws_send_buffer, on_overflow=lambda: session.drop_slow(),
                          on_abort=abort, byte_limit=self.settings.edge.ws_send_buffer_bytes)
        session = (TransportWsSession if framing is protocols.TRANSPORT else LegacyWsSession)(self, conn)
        session.scope = scope
        self.sessions.add(session)
        WEBSOCKETS.inc()
        self.counters["connections"] += 1
        conn.start()
        init_timer = asyncio.get_running_loop().call_later(self.settings.ws_init_timeout, session.init_timed_out)
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
                if conn.closing:
                    continue
                text = message.get("text")
                if text is None:
                    session.close(protocols.INVALID_MESSAGE, "WebSocket message type must be text")
                    continue
                if len(text) > self.settings.edge.ws_max_message:
                    self.counters["oversized_messages"] += 1
                    session.close(protocols.INVALID_MESSAGE, "Message too large")
                    continue
                await session.handle(text)
        except asyncio.CancelledError:
            if not conn.aborted:
                raise
            handler.uncancel()  # aborted by our own close deadline: leave quietly
        finally:
            init_timer.cancel()
            self.sessions.discard(session)
            WEBSOCKETS.dec()
            await session.aclose()

    def authorize(self, payload: dict[str, Any] | None, scope: Scope) -> str | None:
        """The caller of a socket from its connection_init payload (else its handshake headers);
        raises Unauthenticated. None without a gate (tests that build the endpoint alone)."""
        if self.gate is None:
            return None
        if payload and any(isinstance(k, str) and k.lower() in _CREDENTIAL_KEYS for k in payload):
            return self.gate.caller_of(payload, scope)
        return self.gate.caller(scope)

    def count_topics(self, who: str, topics: frozenset[str], delta: int) -> None:
        """Count a caller's subscription in (+1) or out (-1) of the topics it follows."""
        counts = self.caller_topics.setdefault(who, Counter())
        for topic in topics:
            counts[topic] += delta
            if counts[topic] <= 0:
                del counts[topic]
        if not counts:
            del self.caller_topics[who]

    def _ensure_ticker(self) -> None:
        if self._ticker is None or self._ticker.done():
            self._ticker = asyncio.get_running_loop().create_task(self._keep_alive(), name="graphql-ws ka")

    async def _keep_alive(self) -> None:
        """Legacy clients expect `ka` messages; one ticker serves every legacy socket."""
        message = protocols.LEGACY.keep_alive()
        while self.sessions:
            await asyncio.sleep(self.settings.ws_keepalive)
            for session in list(self.sessions):
                if isinstance(session, LegacyWsSession) and session.acknowledged and not session.conn.closing:
                    session.push(message)

    async def drain(self, grace: float = 5.0) -> None:
        """Graceful shutdown: `complete` every operation, close every socket 1001, wait for it."""
        self.draining = True
        sessions = list(self.sessions)
        for session in sessions:
            session.shutdown()
        if sessions:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*(s.conn.flushed() for s in sessions)), grace)
        await self.groups.close()
        if self._ticker is not None:
            self._ticker.cancel()

    def stats(self) -> dict[str, Any]:
        return {"sockets": len(self.sessions), "groups": len(self.groups), "counters": dict(self.counters)}


async def drain_all(grace: float = 5.0) -> None:
    """Drain the endpoints served by the calling loop (one server's, even when a process runs several)."""
    loop = asyncio.get_running_loop()
    for endpoint in list(ENDPOINTS):
        if endpoint.loop is loop:
            await endpoint.drain(grace)
