"""The WebSocket side of /query: socket I/O around the pure protocol in ws_protocol.py.

Operations are set up in the read loop and pumped by one task each; sends are serialised
(gqlgen holds a mutex per connection).
Operations end as gqlgen ends them: a refused document gets `error` then `complete`; a query
gets one result then `complete`; a stopped subscription gets `complete` too. When the socket
goes away every operation is cancelled, which closes its stream and so removes its market
listener (also for an operation whose task never got to run: `SaiEnv.close`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLSchema, OperationType
from starlette.websockets import WebSocket, WebSocketDisconnect

from sandbox.nibiru import engine, gojson
from sandbox.nibiru.resolvers import SaiEnv
from sandbox.nibiru.ws_protocol import Close, Protocol, Send, Start, Stop, message, negotiate

Wire = dict[str, Any]
KEEPALIVE_SECONDS = 10.0  # gqlgen's NewDefaultServer: KeepAlivePingInterval 10 s (legacy protocol)


@dataclass
class _Running:
    task: asyncio.Task[None]
    env: SaiEnv


class Connection:
    def __init__(self, ws: WebSocket, proto: Protocol, schema: GraphQLSchema, context: Callable[[], SaiEnv]) -> None:
        self.ws, self.proto, self.schema, self.context = ws, proto, schema, context
        self.running: dict[str, _Running] = {}
        self.closed = False
        self._lock = asyncio.Lock()
        self._keepalive: asyncio.Task[None] | None = None

    async def send(self, msg: dict[str, Any]) -> None:
        async with self._lock:
            if self.closed:
                return
            try:
                await self.ws.send_text(gojson.dumps(msg))
            except (WebSocketDisconnect, OSError, RuntimeError):
                self.closed = True

    async def close(self, code: int, reason: str) -> None:
        async with self._lock:
            if not self.closed:
                self.closed = True
                with contextlib.suppress(WebSocketDisconnect, OSError, RuntimeError):
                    await self.ws.close(code, reason)

    async def run(self) -> None:
        try:
            while not self.closed:
                frame = await self.ws.receive()
                if frame["type"] == "websocket.disconnect":
                    self.closed = True
                    break
                text = frame.get("text")
                if text is None:
                    text = (frame.get("bytes") or b"").decode("utf-8", "replace")
                for action in self.proto.receive(text):
                    await self._apply(action)
        finally:
            self.closed = True
            if self._keepalive is not None:
                self._keepalive.cancel()
            for id_ in list(self.running):
                await self._cancel(id_)

    async def _apply(self, action: Send | Close | Start | Stop) -> None:
        if isinstance(action, Send):
            await self.send(action.message)
            if self.proto.init_received and self._keepalive is None and self.proto.keepalive():
                self._keepalive = asyncio.create_task(self._keep_alive())
        elif isinstance(action, Close):
            await self.close(action.code, action.reason)
        elif isinstance(action, Start):
            # Set the operation up here, in the read loop, as gqlgen does: its market listener
            # exists before the next frame is read (a ping after a subscribe is a barrier).
            env = self.context()
            first, stream = await self._open(action.id, action.payload, env)
            task = asyncio.create_task(self._pump(action.id, first, stream, env))
            self.running[action.id] = _Running(task, env)
        elif await self._cancel(action.id):
            await self.send(message("complete", action.id))

    async def _cancel(self, id_: str) -> bool:
        running = self.running.pop(id_, None)
        if running is None:
            return False
        running.task.cancel()
        await asyncio.gather(running.task, return_exceptions=True)
        running.env.close()  # also when the task was cancelled before it ever ran
        self.proto.finished(id_)
        return True

    async def _keep_alive(self) -> None:
        while not self.closed:
            await asyncio.sleep(KEEPALIVE_SECONDS)
            msg = self.proto.keepalive()
            if msg is not None:
                await self.send(msg)

    async def _open(self, id_: str, payload: dict[str, Any],
                    env: SaiEnv) -> tuple[list[dict[str, Any]], AsyncIterator[Wire] | None]:
        """The messages to send first, and the stream of a subscription that started."""
        data_type = self.proto.data_type
        query, name, variables = payload.get("query"), payload.get("operationName"), payload.get("variables")
        if not (isinstance(query, str | None) and isinstance(name, str | None) and isinstance(variables, dict | None)):
            return [message("error", id_, [{"message": "invalid json"}])], None
        try:
            op = engine.prepare(self.schema, query, name, variables)
        except engine.RequestError as exc:
            return [message("error", id_, exc.errors)], None
        if op.kind != OperationType.SUBSCRIPTION:
            return [message(data_type, id_, engine.execute_query(self.schema, op, env))], None
        stream = await engine.open_stream(self.schema, op, env)
        if isinstance(stream, dict):
            return [message(data_type, id_, stream)], None
        return [], stream

    async def _pump(self, id_: str, first: list[dict[str, Any]], stream: AsyncIterator[Wire] | None,
                    env: SaiEnv) -> None:
        try:
            for msg in first:
                await self.send(msg)
            if stream is not None:
                async for body in stream:
                    await self.send(message(self.proto.data_type, id_, body))
                    if self.closed:
                        return
            await self.send(message("complete", id_))
        finally:
            if stream is not None:
                with contextlib.suppress(Exception):
                    await stream.aclose()  # type: ignore[attr-defined]
            env.close()
            running = self.running.get(id_)
            if running is not None and running.task is asyncio.current_task():
                del self.running[id_]
                self.proto.finished(id_)


def make_endpoint(schema: GraphQLSchema, context: Callable[[], SaiEnv]) -> Callable[[WebSocket], Any]:
    async def endpoint(ws: WebSocket) -> None:
        proto = negotiate(list(ws.scope.get("subprotocols") or []))
        await ws.accept(subprotocol=proto.subprotocol)
        await Connection(ws, proto, schema, context).run()

    return endpoint
