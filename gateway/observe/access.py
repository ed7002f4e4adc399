"""The outermost ASGI layer: request id, access line, request-duration metric, server span.

Pure ASGI (not Starlette's `BaseHTTPMiddleware`, which runs the app in a separate task behind
memory streams: it breaks streaming responses and costs every request): it only wraps `send`.

Per HTTP request:
- the request id: the caller's `X-Request-Id` when sane (request.py), else a new one; sent back
  in `X-Request-Id`, put in every GraphQL error's `extensions.requestId`, on every log line;
- one access line (logger `gateway.access`, INFO): method, path (never the query string: it
  may carry a key), status, duration, operation name, response-cache result
  (`X-Gateway-Cache`), upstream calls; written straight to the gateway's handler when logging
  is set up the gateway's way (logs.py `DirectLines`, measured: a fifth of a response-cache
  hit's time in the app), through logging otherwise;
- for GraphQL paths, one `gateway_request_duration_seconds` sample by operation and outcome;
- a server span that continues the caller's `traceparent`.

A WebSocket connection gets a record and a span too (its subscriptions' errors carry its id);
it is logged once, when it closes.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observe import request as request_record
from gateway.observe import tracing
from gateway.observe.logs import DirectLines
from gateway.observe.metrics import operation_label, request_duration

log = logging.getLogger("gateway.access")
DIRECT = DirectLines(log)
LINE = "%s %s %d %.1fms op=%s cache=%s upstream_calls=%d"
REQUEST_ID = b"x-request-id"
GRAPHQL_PATHS = frozenset({"/graphql", "/query"})


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given: bytes | None = None
        carrier: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == REQUEST_ID:
                given = value
            elif name in (b"traceparent", b"tracestate"):
                carrier[name.decode()] = value.decode("latin-1")
        rid = request_record.request_id_from(given)
        record, token = request_record.begin(rid)
        method = scope.get("method", "WS")
        path: str = scope.get("path", "")
        started = time.perf_counter()
        status = 101 if scope["type"] == "websocket" else 500  # what an exception before a response means
        cache: str | None = None
        accepted = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, cache, accepted
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                for name, value in headers:
                    if name == b"x-gateway-cache":
                        cache = value.decode("latin-1")
                headers.append((REQUEST_ID, rid.encode()))
                message = {**message, "headers": headers}
            elif message["type"] == "websocket.accept":
                accepted = True
                message = {**message, "headers": [*message.get("headers", []), (REQUEST_ID, rid.encode())]}
            elif message["type"] == "websocket.close" and not accepted:
                status = 403  # closed before accepting: the server refuses the handshake (an Origin not allowed)
            await send(message)

        try:
            if carrier or tracing.recording():
                with tracing.span(f"{method} {path}", tracing.SpanKind.SERVER, tracing.extract(carrier),
                                  {"http.request.method": method, "url.path": path}) as span:
                    await self.app(scope, receive, send_with_id)
                    span.set_attribute("http.response.status_code", status)
                    if record.operation:
                        span.set_attribute("graphql.operation.name", record.operation)
            else:  # no span would be recorded nor passed on
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            outcome = "error" if record.errors or status >= 400 else "ok"
            if path in GRAPHQL_PATHS and scope["type"] == "http":
                request_duration(operation_label(record.operation), outcome).observe(elapsed)
            if log.isEnabledFor(logging.INFO):
                args = (method, path, status, elapsed * 1000, record.operation or "-", cache or "-",
                        record.upstream_calls)
                fields = {"method": method, "path": path, "status": status,
                          "duration_ms": round(elapsed * 1000, 3), "operation": record.operation,
                          "cache": cache, "upstream_calls": record.upstream_calls}
                if not DIRECT.write(LINE % args, fields, rid):  # the gateway's own handler: see DirectLines
                    # made and handled directly: `log.info` would look up the caller's file and line
                    # for every line, which no format prints
                    log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, LINE, args, None, extra=fields))
            request_record.end(token)
