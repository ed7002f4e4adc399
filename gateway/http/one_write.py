"""uvicorn's httptools protocol, sending a response's head and body in one socket write.

uvicorn writes the status line and headers as soon as the app sends `http.response.start`, and
the body in a second write when `http.response.body` comes. On this 2-core machine a write on a
loopback TCP socket costs about as much as everything else a response-cache hit does (measured
with py-spy under `wrk -c16`: 49% of the worker's samples in the head's write, 9% in the body's),
so two writes per response halve what one worker can serve. Here the head waits in a small buffer
for the body's first write and both leave together. The head never waits past the event loop's
current turn: a response with no body write (HEAD, a 204), a streaming one that waits before its
first chunk, or an app that fails after starting has its head flushed on the loop's next turn,
when its last `send` returns, or when the connection closes. Nothing else changes: uvicorn's own parser, flow control, keep-alive, pipelining and
`Expect: 100-continue` (its interim answer is written at once: the head is held only while the
app's `http.response.start` is being sent).

It hooks `_start_asgi_task`, which uvicorn calls for every request cycle (pipelined ones too),
and wraps that cycle's transport and `send`; uvicorn is pinned to a minor version in
pyproject.toml because this relies on those names (`tests/test_one_write.py` fails if the head and
body stop leaving together).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle


class _HeldHead:
    """The cycle's view of the transport: the head is held until the next write or a flush."""

    __slots__ = ("holding", "head", "transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        self.holding = False
        self.head: bytes | None = None

    def write(self, data: bytes) -> None:
        if self.holding:
            self.head = data if self.head is None else self.head + data
            return
        head, self.head = self.head, None
        self.transport.write(data if head is None else head + data)

    def flush(self) -> None:
        head, self.head = self.head, None
        if head is not None and not self.transport.is_closing():
            self.transport.write(head)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:  # is_closing, get_extra_info, ...: the transport's own
        return getattr(self.transport, name)


def hold_heads(cycle: RequestResponseCycle) -> None:
    held = _HeldHead(cycle.transport)
    cycle.transport = held  # type: ignore[assignment]
    send = cycle.send

    async def one_write_send(message: Any) -> None:
        if message["type"] == "http.response.start":
            held.holding = True
            try:
                await send(message)
            finally:
                held.holding = False
                # a body sent in the same step takes the head along; a streaming answer that waits
                # before its first chunk still gets its head out on the loop's next turn
                asyncio.get_running_loop().call_soon(held.flush)
            return
        try:
            await send(message)
        finally:
            held.flush()  # normally empty: the body's write took the head along

    cycle.send = one_write_send  # type: ignore[method-assign]


class OneWriteHttpToolsProtocol(HttpToolsProtocol):
    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        hold_heads(cycle)
        super()._start_asgi_task(cycle, app)
