"""Sai Keeper subscriptions over graphql-transport-ws: one socket per URL per process, every
subscription and gap-fill query of the process multiplexed on it.

graphql-transport-ws carries many operations on one socket, each under its own id, so 500
subscribed markets cost one upstream connection, not 500. `SaiStream.open` registers its
operation and sends the `subscribe` frame before it yields, so the caller can send its gap-fill
queries *over the same socket*: Sai Keeper (gqlgen) sets an operation up before it reads the
next frame, so a query sent after the `subscribe` frame sees every event the subscription will
not deliver, and the subscription delivers every event after it. Those queries also bypass the
gateway's HTTP response cache, which could otherwise hide the newest history items from a gap
fill made seconds after a drop.

Written on `websockets` rather than gql: on a shared gql session the caller cannot tell when
*its* `subscribe` frame is on the wire (gql sends it from inside the subscription's generator),
and that moment is what the gap-fill ordering above depends on. The socket is opened by the
first operation, closed with the last, and when it drops every operation on it fails at once;
the bridges loop around `open` and the next one reconnects. Failures are mapped into the error
tree here, never raw.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import weakref
from collections.abc import AsyncIterator
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import WebSocketException

from gateway.errors import GatewayError, UpstreamError, UpstreamTimeout, UpstreamUnavailable
from gateway.sources.nibiru import queries
from gateway.sources.nibiru.client import SOURCE

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
PING_INTERVAL = 20.0  # WebSocket pings: a half-open socket is noticed within ~30 s
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
        self.users = 0
        self.connects = 0
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None

    async def _connection(self) -> ClientConnection:
        async with self._lock:
            if self.ws is not None:
                return self.ws
            try:
                ws = await websockets.connect(
                    self.url, subprotocols=[PROTOCOL], open_timeout=CONNECT_TIMEOUT,  # type: ignore[list-item]
                    ping_interval=PING_INTERVAL, ping_timeout=PING_INTERVAL / 2, max_size=MAX_MESSAGE)
                await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
                ack = json.loads(await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT))
            except STREAM_ERRORS as exc:
                raise map_stream_error(exc) from exc
            except ValueError as exc:
                raise UpstreamError(SOURCE, "Sai Keeper's socket sent a frame that is not JSON") from exc
            if not isinstance(ack, dict) or ack.get("type") != "connection_ack":
                await ws.close()
                raise UpstreamUnavailable(SOURCE, "Sai Keeper did not acknowledge the subscription socket")
            self.ws, self.connects = ws, self.connects + 1
            self._reader = asyncio.create_task(self._read(ws), name="sai-socket")
            return ws

    async def _read(self, ws: ClientConnection) -> None:
        error: GatewayError = UpstreamUnavailable(SOURCE, "Sai Keeper closed the subscription socket")
        try:
            async for raw in ws:
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
        ws, reader = self.ws, self._reader
        self.ws = None
        if ws is not None:
            with contextlib.suppress(*STREAM_ERRORS):
                await ws.close()
        if reader is not None:
            with contextlib.suppress(asyncio.CancelledError, *STREAM_ERRORS):
                await reader


_SOCKETS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, SaiSocket]] = weakref.WeakKeyDictionary()


def sockets() -> list[SaiSocket]:
    """The shared sockets of the running loop (for metrics and tests)."""
    return list(_SOCKETS.get(asyncio.get_running_loop(), {}).values())


def _socket(url: str) -> SaiSocket:
    by_url = _SOCKETS.setdefault(asyncio.get_running_loop(), {})
    found = by_url.get(url)
    if found is None:
        found = by_url[url] = SaiSocket(url)
    return found


def _data(message: Any) -> dict[str, Any]:
    """A `next` frame's data, or the error it carries."""
    if isinstance(message, _Closed):
        raise message.error
    if message.get("type") == "complete":
        raise UpstreamUnavailable(SOURCE, "Sai Keeper ended the subscription")
    payload = message.get("payload")
    if message.get("type") == "error" or (isinstance(payload, dict) and payload.get("errors")):
        errors = payload if isinstance(payload, list) else (payload or {}).get("errors") or [{}]
        first = errors[0] if isinstance(errors[0], dict) else {}
        raise UpstreamError(SOURCE, f"Sai Keeper rejected the subscription: {first.get('message', 'error')}")
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, dict):
        raise UpstreamError(SOURCE, "Sai Keeper sent a subscription message without data")
    return data


class SaiStream:
    """An open subscription: iterate it for `data` payloads; `query` runs a document on its socket."""

    def __init__(self, socket: SaiSocket, queue: asyncio.Queue[Any]) -> None:
        self._socket = socket
        self._queue = queue

    async def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        op_id, queue = await self._socket.start(document, variables)
        try:
            data = _data(await asyncio.wait_for(queue.get(), QUERY_TIMEOUT))
        except TimeoutError as exc:
            raise map_stream_error(exc) from exc
        finally:
            await self._socket.stop(op_id)
        return data

    def __aiter__(self) -> SaiStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return _data(await self._queue.get())

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, ws_url: str, document: str, variables: dict[str, Any]) -> AsyncIterator[SaiStream]:
        """Subscribe on the shared socket for `ws_url`; yields once the `subscribe` frame is on the wire."""
        socket = _socket(ws_url)
        socket.users += 1
        try:
            op_id, queue = await socket.start(document, variables)
            try:
                yield cls(socket, queue)
            finally:
                await socket.stop(op_id)
        finally:
            socket.users -= 1
            if socket.users == 0:  # the last operation closes the socket
                await socket.close()
