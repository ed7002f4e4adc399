"""GATEWAY_MAX_BODY as a pure ASGI layer: 413 before the body is read whole.

A declared `Content-Length` over the limit is refused before one byte of the body is received;
a chunked body is counted as it arrives and refused at the first chunk past the limit. The app
below sees a body only when it is within the limit, so nothing downstream buffers 100 MB.
Refusing before reading leaves unread bytes on the connection: the server closes it (nothing
else is safe); a refusal answered after the whole body was received keeps it alive.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observe.request import error_extensions


class TooLarge(Exception):
    """The body passed the limit while the app was reading it."""


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _refuse(send, 400, "Content-Length is not a number")
                    return
                if declared > self.max_body:
                    await _refuse(send, 413, f"Request body is larger than {self.max_body} bytes")
                    return
            elif name == b"transfer-encoding":
                chunked = True
        if declared is not None and not chunked:
            # the server reads exactly the declared length, which is within the limit: nothing to
            # count (the counting wrappers were a few percent of a response-cache hit)
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:
            if not started:
                await _refuse(send, 413, f"Request body is larger than {self.max_body} bytes")


async def _refuse(send: Send, status: int, message: str) -> None:
    extensions = error_extensions({"code": "BAD_REQUEST"})  # with the request's id (gateway/observe)
    body = json.dumps({"errors": [{"message": message, "extensions": extensions}]}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})
