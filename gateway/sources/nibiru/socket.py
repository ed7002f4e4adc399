"""One graphql-transport-ws connection to Sai Keeper, carrying many operations (pool.py shares it).

graphql-transport-ws carries many operations on one socket, each under its own id, so 500
subscribed markets cost one upstream connection, not 500. `SaiSocket.start` registers an operation
and puts its `subscribe` frame on the wire before it returns, so the caller can send its gap-fill
queries *over the same socket*: Sai Keeper (gqlgen) sets an operation up before it reads the next
frame, so a query sent after the `subscribe` frame sees every event the subscription will not
deliver, and the subscription delivers every event after it. Those queries also bypass the
gateway's HTTP response cache, which could otherwise hide the newest history items from a gap
fill made seconds after a drop.

Written on `websockets` rather than gql: on a shared gql session the caller cannot tell when
*its* `subscribe` frame is on the wire (gql sends it from inside the subscription's generator),
and that moment is what the gap-fill ordering above depends on. When the socket drops every
operation on it fails at once; the bridges loop around `open` and the next one reconnects.
Failures are mapped into the error tree here, never raw.

Built to hold a thousand operations on a busy event loop (docs/benchmarks.md, "spread"):

- a connection attempt is shared: every operation waiting for the socket gets that attempt's
  outcome, instead of each retrying in turn behind a lock (1,000 × the connect timeout);
- keep-alive is the gateway's own (`keepalive.py`), not websockets' fixed ping timeout: any frame
  received proves the socket alive, and a pong is waited for in time the event loop was free to
  notice it, so a loop busy with thousands of client sockets does not close a healthy upstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from gateway.errors import GatewayError, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from gateway.sources.nibiru import queries
from gateway.sources.nibiru.client import SOURCE
from gateway.sources.nibiru.keepalive import keep_alive

log = logging.getLogger("gateway.streams.nibiru")

SUB_TRADES = (
    "subscription GatewayTrades($where: SubPerpTradesFilter!) "
    f"{{ perpTrades(where: $where) {{ {queries.TRADE} }} }}"
)
SUB_HISTORY = (
    "subscription GatewayHistory($where: SubPerpTradeHistoryFilter!) "
    f"{{ perpTradeHistory(where: $where) {{ {queries.HISTORY} }} }}"
)
SUB_BORROWING = (
    "subscription GatewayBorrowing($collateralId: Int!, $marketId: Int!) "
    f"{{ perpBorrowing(collateralId: $collateralId, marketId: $marketId) {{ {queries.BORROWING} }} }}"
)
SUB_BORROWINGS = f"subscription GatewayBorrowings {{ perpBorrowings {{ {queries.SHORT_INFO} }} }}"

PROTOCOL = "graphql-transport-ws"
CONNECT_TIMEOUT = 10.0
QUERY_TIMEOUT = 30.0
MAX_MESSAGE = 64 * 1024 * 1024  # a gap-fill page of history can be large


def map_stream_error(exc: BaseException) -> GatewayError:
    """Anything a subscription can raise, as the error tree's retryable upstream errors."""
    if isinstance(exc, GatewayError):
        return exc
    if isinstance(exc, TimeoutError):
        return UpstreamTimeout(SOURCE, "Sai Keeper's subscription endpoint did not answer in time")
    return UpstreamUnavailable(SOURCE, "Sai Keeper's subscription socket was closed or refused")


STREAM_ERRORS = (GatewayError, WebSocketException, OSError, TimeoutError)


class _Closed:
    """Put on every operation's queue when the socket is gone."""

    def __init__(self, error: GatewayError) -> None:
        self.error = error


class SaiSocket:
    """One graphql-transport-ws connection, shared by the operations of one event loop."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: ClientConnection | None = None
        self.ops: dict[str, asyncio.Queue[Any]] = {}
        self.users = 0  # subscriptions leased on this socket (pool.py bounds them)
        self.connects = 0
        self.last_frame = 0.0  # loop time of the last frame received: the keep-alive's evidence
        self._ids = itertools.count(1)
        self._connecting: asyncio.Future[ClientConnection] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pinger: asyncio.Task[None] | None = None

    async def _connection(self) -> ClientConnection:
        """The open connection, or the outcome of the one attempt every waiting caller shares."""
        if self.ws is not None:
            return self.ws
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.ensure_future(self._connect())
            self._connecting.add_done_callback(_retrieve)
        return await asyncio.shield(self._connecting)

    async def _connect(self) -> ClientConnection:
        try:
            ws = await websockets.connect(
                self.url, subprotocols=[PROTOCOL], open_timeout=CONNECT_TIMEOUT,  # type: ignore[list-item]
                ping_interval=None, max_size=MAX_MESSAGE)
        except STREAM_ERRORS as exc:
            raise map_stream_error(exc) from exc
        try:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
        except BaseException as exc:
            await ws.close()
            if isinstance(exc, STREAM_ERRORS):
                raise map_stream_error(exc) from exc
            if isinstance(exc, ValueError):
                raise UpstreamError(SOURCE, "Sai Keeper's socket sent a frame that is not JSON") from exc
            raise
        if not isinstance(ack, dict) or ack.get("type") != "connection_ack":
            await ws.close()
            raise UpstreamUnavailable(SOURCE, "Sai Keeper did not acknowledge the subscription socket")
        self.ws, self.connects = ws, self.connects + 1
        self.last_frame = asyncio.get_running_loop().time()
        self._reader = asyncio.create_task(self._read(ws), name="sai-socket")
        self._pinger = asyncio.create_task(keep_alive(ws, lambda: self.last_frame), name="sai-socket-keepalive")
        return ws

    async def _read(self, ws: ClientConnection) -> None:
        error: GatewayError = UpstreamUnavailable(SOURCE, "Sai Keeper closed the subscription socket")
        loop = asyncio.get_running_loop()
        try:
            async for raw in ws:
                self.last_frame = loop.time()
                message = json.loads(raw)
                kind = message.get("type") if isinstance(message, dict) else None
                if kind == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif kind in ("next", "error", "complete"):
                    queue = self.ops.get(str(message.get("id")))
                    if queue is not None:
                        queue.put_nowait(message)
        except STREAM_ERRORS as exc:
            error = map_stream_error(exc)
        except ValueError:
            error = UpstreamError(SOURCE, "Sai Keeper's socket sent a frame that is not JSON")
        finally:
            if self.ws is ws:
                self.ws = None
            if self._pinger is not None:
                self._pinger.cancel()
            if self.ops:
                log.warning("Sai Keeper subscription socket lost with %d operations on it (%s)",
                            len(self.ops), error.message)
            for queue in self.ops.values():  # every operation on the socket ends with it
                queue.put_nowait(_Closed(error))
            self.ops.clear()

    async def start(self, document: str, variables: dict[str, Any]) -> tuple[str, asyncio.Queue[Any]]:
        """Register an operation and put its `subscribe` frame on the wire; returns its id and queue."""
        ws = await self._connection()
        op_id, queue = str(next(self._ids)), asyncio.Queue[Any]()
        self.ops[op_id] = queue  # before the frame: an answer can never arrive unrouted
        payload = {"query": document, "variables": {k: v for k, v in variables.items() if v is not None}}
        try:
            await ws.send(json.dumps({"type": "subscribe", "id": op_id, "payload": payload}))
        except STREAM_ERRORS as exc:
            self.ops.pop(op_id, None)
            raise map_stream_error(exc) from exc
        return op_id, queue

    async def stop(self, op_id: str) -> None:
        if self.ops.pop(op_id, None) is not None and self.ws is not None:
            with contextlib.suppress(*STREAM_ERRORS):
                await self.ws.send(json.dumps({"type": "complete", "id": op_id}))

    async def close(self) -> None:
        ws, reader, pinger, connecting = self.ws, self._reader, self._pinger, self._connecting
        self.ws = None
        if connecting is not None and not connecting.done():
            connecting.cancel()
        if pinger is not None:
            pinger.cancel()
        if ws is not None:
            with contextlib.suppress(*STREAM_ERRORS):
                await ws.close()
        for task in (reader, pinger, connecting):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, *STREAM_ERRORS):
                    await task


def _retrieve(attempt: asyncio.Future[ClientConnection]) -> None:
    """A failed attempt's error is its waiters'; when they are all gone it is not "never retrieved"."""
    if not attempt.cancelled():
        attempt.exception()
