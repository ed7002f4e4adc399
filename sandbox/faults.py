"""Faulty answers the sandbox can give instead of a simulator's own: what real upstreams send on bad days.

Every mode here answers HTTP 200, because that is what makes these faults dangerous: a client that
trusts the status keeps the answer. The modes (`POST /_control/faults {"upstream", "mode"}`):

    html         an HTML error page (a proxy or CDN in front of the API), `text/html`
    truncated    the simulator's real answer cut in half (a connection reset mid-body)
    wrong_shape  the real answer with every JSON list wrapped in an object (`{"items": [...]}`),
                 as after an unannounced API change: valid JSON, every field still there, wrong types
    null         the JSON literal `null` (an API that answers "nothing" instead of an error)
    huge         the real answer with a `padding` field of `size` bytes (default 64 MiB), streamed:
                 valid and of the right shape, only too large to hold

The modes that start from the real answer run the simulator first, so the request is logged and
counted (and rate limited) as usual. WebSockets are not affected by these modes.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

BODY_MODES = ("html", "truncated", "wrong_shape", "null", "huge")
HUGE_DEFAULT = 64 * 2**20
_CHUNK = 256 * 1024

HTML_PAGE = (b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
             b"<body><h1>Bad Gateway</h1><p>The origin did not answer.</p></body></html>")


async def real_answer(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, bytes]:
    """Run the simulator for this request and keep its status and body instead of sending them."""
    status, chunks = 500, []

    async def keep(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return status, b"".join(chunks)


def wrap_lists(value: Any) -> Any:
    """Every list, at any depth, becomes `{"items": list}`: the same data in a shape nobody expects."""
    if isinstance(value, list):
        return {"items": [wrap_lists(v) for v in value]}
    if isinstance(value, dict):
        return {k: wrap_lists(v) for k, v in value.items()}
    return value


async def _start(send: Send, content_type: bytes, length: int | None = None) -> None:
    headers = [(b"content-type", content_type)]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})


async def answer(mode: str, size: int, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> int:
    """Send the faulty answer of `mode`; returns the status sent (for the request log)."""
    if mode == "html":
        await _start(send, b"text/html; charset=utf-8", len(HTML_PAGE))
        await send({"type": "http.response.body", "body": HTML_PAGE})
        return 200
    if mode == "null":
        await _start(send, b"application/json", 4)
        await send({"type": "http.response.body", "body": b"null"})
        return 200
    status, body = await real_answer(app, scope, receive)
    if status != 200:  # the simulator refused (auth, a 429, bad input): that answer stands
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
        return status
    if mode == "truncated":
        cut = body[: max(1, len(body) // 2)]
        await _start(send, b"application/json", len(cut))
        await send({"type": "http.response.body", "body": cut})
    elif mode == "wrong_shape":
        shaped = json.dumps(wrap_lists(json.loads(body))).encode()
        await _start(send, b"application/json", len(shaped))
        await send({"type": "http.response.body", "body": shaped})
    else:  # huge: {"padding": "xxx…", <the real answer's fields>}, streamed in chunks
        await _huge(body, size, send)
    return 200


async def _huge(body: bytes, size: int, send: Send) -> None:
    inner = body.strip()
    rest = b"}" if inner in (b"{}", b"") else b"," + inner[1:]
    if not inner.startswith(b"{"):  # not an object: nothing to pad, send it under a field
        rest = b',"answer":' + inner + b"}"
    await _start(send, b"application/json")
    await send({"type": "http.response.body", "body": b'{"padding":"', "more_body": True})
    sent = 0
    while sent < size:
        n = min(_CHUNK, size - sent)
        try:
            await send({"type": "http.response.body", "body": b"x" * n, "more_body": True})
        except OSError:  # the client gave up on the answer: so does the sender
            return
        sent += n
    await send({"type": "http.response.body", "body": b'"' + rest})
