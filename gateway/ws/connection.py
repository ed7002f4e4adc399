"""One socket's outgoing side: a bounded send buffer drained by one writer task.

Fan-out never waits for a socket: it appends a ready message to the socket's buffer and moves
on. The writer sends in order and waits for the transport to drain whenever the peer reads
slowly (uvicorn pauses writing past its high-water mark), so a socket holds at most `limit`
messages and `byte_limit` characters of them, plus what the transport holds. Bytes count as
well as messages because a few large events (a market list, a 10 MB operation id copied into
every event) fill memory long before the message count is reached. When a push finds the buffer
full the socket is too slow for its streams and `on_overflow` decides (the session drops it).

Closing sends the queued messages, then the close frame. A peer that reads nothing cannot even
take the close frame: after `close_timeout` seconds the writer is cancelled and `on_abort` ends
the connection's handler, which hands the socket back to the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable

from starlette.types import Send

CLOSE_TIMEOUT = 5.0


class Connection:
    def __init__(self, send: Send, limit: int, on_overflow: Callable[[], None],
                 on_abort: Callable[[], None], close_timeout: float = CLOSE_TIMEOUT,
                 byte_limit: int = 4 * 2**20) -> None:
        self._send = send
        self._limit = limit
        self._byte_limit = byte_limit
        self.buffered = 0  # characters queued, not yet handed to the transport
        self._on_overflow = on_overflow
        self._on_abort = on_abort
        self._close_timeout = close_timeout
        self._buf: deque[str] = deque()
        self._wake: asyncio.Future[None] | None = None
        self._close: tuple[int, str] | None = None
        self._abort_timer: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None
        self.open = True  # accepting messages
        self.aborted = False
        self.sent = 0

    def start(self) -> None:
        self._writer = asyncio.get_running_loop().create_task(self._write())

    @property
    def closing(self) -> bool:
        return self._close is not None or not self.open

    def push(self, text: str) -> None:
        """Queue a message; a full buffer calls `on_overflow` instead."""
        if not self.open:
            return
        if len(self._buf) >= self._limit or (self._buf and self.buffered + len(text) > self._byte_limit):
            self._on_overflow()
            return
        self.buffered += len(text)
        self._buf.append(text)
        self._wakeup()

    def close(self, code: int, reason: str = "", final: list[str] | None = None, *, discard: bool = False) -> None:
        """Stop accepting messages, send `final` (after what is queued, or instead of it when
        `discard`), then close with `code`."""
        if self._close is not None:
            return
        self.open = False
        if discard:
            self._buf.clear()
            self.buffered = 0
        self._buf.extend(final or [])
        self._close = (code, reason[:120])
        self._abort_timer = asyncio.get_running_loop().call_later(self._close_timeout, self._abort)
        self._wakeup()

    def _wakeup(self) -> None:
        wake, self._wake = self._wake, None
        if wake is not None and not wake.done():
            wake.set_result(None)

    def _abort(self) -> None:
        self.aborted = True
        self._buf.clear()
        if self._writer is not None:
            self._writer.cancel()
        self._on_abort()

    async def _write(self) -> None:
        send, buf = self._send, self._buf
        try:
            while True:
                while buf:
                    text = buf.popleft()
                    self.buffered -= len(text)
                    await send({"type": "websocket.send", "text": text})
                    self.sent += 1
                if self._close is not None:
                    code, reason = self._close
                    await send({"type": "websocket.close", "code": code, "reason": reason})
                    return
                self._wake = asyncio.get_running_loop().create_future()
                await self._wake
        except (OSError, RuntimeError):  # uvicorn's ClientDisconnected is an OSError
            return
        finally:
            self.open = False
            buf.clear()
            if self._abort_timer is not None:
                self._abort_timer.cancel()

    async def finish(self) -> None:
        """The handler is leaving: stop the writer if it is still running."""
        self.open = False
        if self._abort_timer is not None:
            self._abort_timer.cancel()
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

    async def flushed(self) -> None:
        """Wait until the writer has sent the close frame (or given up)."""
        if self._writer is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._writer)
