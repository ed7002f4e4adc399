"""Reading a request body once in ASGI, and handing it on to the app behind as if unread.

Layers that must look at the body before the app does (the edge gate for persisted queries, the
response cache for its key, the compiled path) read it here and pass the app a `receive` that
replays it; a layer behind one that did so gets the same bytes at once, without another read.
"""

from __future__ import annotations

from starlette.types import Message, Receive


async def read_body(receive: Receive) -> bytes:
    """The whole body (stops early at a disconnect). When `receive` is a replay (a layer in front
    read the body already) its body is returned as it is, and the replay is left unread."""
    known: bytes | None = getattr(receive, "replayed_body", None)
    if known is not None:
        return known
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body already read, then passes through (the disconnect)."""
    if getattr(receive, "replayed_body", None) is body:
        return receive  # already replays exactly these bytes (read_body peeked at it)
    return Replay(body, receive)


class Replay:
    """`replaying`'s receive. A class, not a closure: a closure that marks itself read refers to
    itself, and that cycle made every request leave garbage only the cyclic collector frees
    (measured: 9 objects a request, a young-generation collection every ~5,000 hits)."""

    __slots__ = ("receive", "replayed_body")

    def __init__(self, body: bytes, receive: Receive) -> None:
        self.receive = receive
        self.replayed_body: bytes | None = body  # read_body's shortcut while unread

    async def __call__(self) -> Message:
        body = self.replayed_body
        if body is None:
            return await self.receive()
        self.replayed_body = None  # read from now on: no shortcut
        return {"type": "http.request", "body": body, "more_body": False}
