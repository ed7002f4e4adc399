"""Sai Keeper subscriptions of one process: a few shared sockets per URL, admitted in batches.

`SaiStream.open` leases a place on a socket of the URL's pool (`SaiPool`) and subscribes there;
its gap-fill queries go over the same socket (socket.py says why that ordering loses nothing).

- **Bounded operations per socket** (`MAX_OPERATIONS`): past that many subscriptions a second
  socket is opened, so 1,000 traders' streams ride on two sockets, not one and not 1,000. A drop
  then fails at most that many operations at once, and the upstream (gqlgen reads one
  connection's frames one at a time) sets operations up on several connections in parallel.
- **Admission in batches** (`ADMIT_AT_ONCE`): a bridge holds one of a pool's admission slots
  from its `subscribe` until its gap fill is done (`SaiStream.settled`). When a socket carrying
  hundreds of operations drops, they all come back within their first backoff; admitted this way
  they resubscribe and gap-fill a batch at a time, each with its own watermark, instead of
  putting a thousand subscribes and gap-fill queries on the wire together and timing them out.

A socket whose last subscription leaves is closed and leaves the pool (a later subscription
opens a new one), so a closing socket is never handed out again.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator
from typing import Any

from gateway.errors import UpstreamError, UpstreamUnavailable
from gateway.sources.nibiru.client import SOURCE
from gateway.sources.nibiru.socket import QUERY_TIMEOUT, SaiSocket, _Closed, map_stream_error

MAX_OPERATIONS = 500  # subscriptions per upstream socket before another one is opened
ADMIT_AT_ONCE = 25  # subscriptions of one pool subscribing and gap-filling at the same time


class SaiPool:
    """The sockets to one Sai Keeper URL, in one event loop."""

    def __init__(self, url: str, max_operations: int = MAX_OPERATIONS, admit_at_once: int = ADMIT_AT_ONCE) -> None:
        self.url, self.max_operations = url, max_operations
        self.sockets: list[SaiSocket] = []
        self.admission = asyncio.Semaphore(admit_at_once)

    def lease(self) -> SaiSocket:
        """A place for one subscription: on the first socket with room, else on a new socket."""
        socket = next((s for s in self.sockets if s.users < self.max_operations), None)
        if socket is None:
            socket = SaiSocket(self.url)
            self.sockets.append(socket)
        socket.users += 1
        return socket

    async def release(self, socket: SaiSocket) -> None:
        socket.users -= 1
        if socket.users == 0:  # the last operation closes the socket; it is never leased again
            if socket in self.sockets:
                self.sockets.remove(socket)
            await socket.close()


_POOLS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, SaiPool]] = weakref.WeakKeyDictionary()


def pool(url: str) -> SaiPool:
    by_url = _POOLS.setdefault(asyncio.get_running_loop(), {})
    found = by_url.get(url)
    if found is None:
        found = by_url[url] = SaiPool(url)
    return found


def sockets() -> list[SaiSocket]:
    """The upstream sockets of the running loop, every URL (for metrics and tests)."""
    return [s for p in _POOLS.get(asyncio.get_running_loop(), {}).values() for s in p.sockets]


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

    def __init__(self, socket: SaiSocket, queue: asyncio.Queue[Any], admission: asyncio.Semaphore) -> None:
        self._socket = socket
        self._queue = queue
        self._admission: asyncio.Semaphore | None = admission

    @property
    def socket(self) -> SaiSocket:
        return self._socket

    def settled(self) -> None:
        """Subscribed and gap-filled: give the admission slot to the next subscription."""
        admission, self._admission = self._admission, None
        if admission is not None:
            admission.release()

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
        """Subscribe on a shared socket for `ws_url`; yields once the `subscribe` frame is on the
        wire, holding an admission slot until `settled()` (or the end of the block)."""
        shared = pool(ws_url)
        await shared.admission.acquire()
        stream: SaiStream | None = None
        socket = shared.lease()
        try:
            op_id, queue = await socket.start(document, variables)
            stream = cls(socket, queue, shared.admission)
            try:
                yield stream
            finally:
                await socket.stop(op_id)
        finally:
            if stream is not None:
                stream.settled()
            else:
                shared.admission.release()
            await shared.release(socket)
