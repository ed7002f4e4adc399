"""gateway/http/one_write.py: a response's head and body leave in one transport write, and
nothing else about uvicorn's HTTP changes (HEAD, streaming, 100-continue, pipelining, errors).

Driven the way uvicorn's own protocol tests drive it: the real protocol class and parser, fed
bytes through `data_received`, writing to a transport that records each write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from gateway.http.one_write import OneWriteHttpToolsProtocol

App = Callable[[Any, Any, Any], Awaitable[None]]


class RecordingTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.wrote = asyncio.Event()

    def write(self, data: bytes | bytearray | memoryview) -> None:  # type: ignore[override]
        self.writes.append(bytes(data))
        self.wrote.set()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        pass


def connect(app: App) -> tuple[OneWriteHttpToolsProtocol, RecordingTransport]:
    config = Config(app=app, http=OneWriteHttpToolsProtocol, lifespan="off", log_config=None)
    config.load()
    protocol = OneWriteHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
    transport = RecordingTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def settle(protocol: OneWriteHttpToolsProtocol) -> None:
    """Until every request task the protocol started has finished, and the loop turned once more."""
    while protocol.tasks:
        await asyncio.gather(*protocol.tasks)
    await asyncio.sleep(0)  # the turn on which a held head would be flushed


def plain(body: bytes) -> App:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))]})
        await send({"type": "http.response.body", "body": body})
    return app


GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def test_head_and_body_leave_in_one_write() -> None:
    protocol, transport = connect(plain(b"x" * 30_000))
    protocol.data_received(GET)
    await settle(protocol)
    assert len(transport.writes) == 1
    head, _, body = transport.writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK") and b"content-length: 30000" in head
    assert body == b"x" * 30_000


async def test_a_head_request_gets_its_head_alone() -> None:
    protocol, transport = connect(plain(b"hello"))
    protocol.data_received(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle(protocol)
    assert len(transport.writes) == 1
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK") and transport.writes[0].endswith(b"\r\n\r\n")


async def test_a_streaming_answer_sends_its_head_before_its_first_chunk_is_ready() -> None:
    first_chunk = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
        await first_chunk.wait()
        await send({"type": "http.response.body", "body": b"data: 1\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    protocol, transport = connect(app)
    protocol.data_received(GET)
    await transport.wrote.wait()  # the head, while the app still waits for its first chunk
    assert len(transport.writes) == 1 and transport.writes[0].startswith(b"HTTP/1.1 200 OK")
    assert b"transfer-encoding: chunked" in transport.writes[0]
    first_chunk.set()
    await settle(protocol)
    assert b"".join(transport.writes[1:]) == b"9\r\ndata: 1\n\n\r\n0\r\n\r\n"


async def test_expect_100_continue_is_answered_before_the_body_arrives() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        await plain(message["body"])(scope, receive, send)

    protocol, transport = connect(app)
    protocol.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    await transport.wrote.wait()
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    protocol.data_received(b"hello")
    await settle(protocol)
    assert len(transport.writes) == 2 and transport.writes[1].endswith(b"\r\n\r\nhello")


async def test_pipelined_requests_are_answered_in_order_one_write_each() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await plain(scope["path"].encode())(scope, receive, send)

    protocol, transport = connect(app)
    protocol.data_received(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle(protocol)
    await settle(protocol)  # the second cycle starts when the first completes
    assert [w.rpartition(b"\r\n\r\n")[2] for w in transport.writes] == [b"/first", b"/second"]


async def test_an_app_failing_after_its_head_closes_the_connection_with_the_head_sent() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("boom")

    protocol, transport = connect(app)
    protocol.data_received(GET)
    await settle(protocol)
    assert transport.closed
    assert len(transport.writes) == 1 and transport.writes[0].startswith(b"HTTP/1.1 200 OK")
