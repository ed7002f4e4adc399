"""gateway/http/body_limit.py as a pure ASGI layer: a declared length within the limit passes
untouched; a chunked body is counted and refused past the limit."""

from __future__ import annotations

from typing import Any

from gateway.http.body import read_body
from gateway.http.body_limit import BodyLimit


def scope(*headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/graphql", "headers": list(headers)}


async def test_a_declared_length_within_the_limit_reaches_the_app_with_the_servers_receive() -> None:
    seen: dict[str, Any] = {}

    async def app(s: Any, receive: Any, send: Any) -> None:
        seen["receive"], seen["send"] = receive, send

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    async def send(message: Any) -> None:
        pass

    await BodyLimit(app, max_body=10)(scope((b"content-length", b"2")), receive, send)
    assert seen == {"receive": receive, "send": send}


async def test_a_chunked_body_is_counted_and_refused_past_the_limit() -> None:
    sent: list[Any] = []
    parts = [b"x" * 8, b"x" * 8]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}

    async def send(message: Any) -> None:
        sent.append(message)

    async def app(s: Any, receive: Any, send: Any) -> None:
        await read_body(receive)

    await BodyLimit(app, max_body=10)(scope((b"transfer-encoding", b"chunked")), receive, send)
    assert sent[0]["status"] == 413
