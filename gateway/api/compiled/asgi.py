"""The compiled path as an ASGI layer in front of Strawberry's view (behind the response cache).

It takes the plain requests: a JSON POST or a GET with `query=`, one operation, no streaming
`Accept`. For those it looks the document up in the plan cache and, when there is a plan,
answers with the bytes the plan produced: status 200 and `application/json`, as Strawberry
answers a query. Everything else, and every request the plan declines (see executor.py), goes
to Strawberry unchanged, its body replayed: batches, GraphiQL, malformed JSON, unknown
operations, mutations, variables that do not coerce.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.api.compiled.executor import CompiledExecutor
from gateway.http.body import read_body, replaying

_STREAMING = (b"multipart/mixed", b"text/event-stream")
MAX_VARIABLE_DEPTH = 32
ContextFactory = Any  # async (request) -> context


class CompiledGraphQL:
    def __init__(self, app: ASGIApp, executor: CompiledExecutor, context_factory: ContextFactory) -> None:
        self.app = app
        self.executor = executor
        self.context_factory = context_factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST") or not self.executor.enabled:
            await self.app(scope, receive, send)
            return
        json_body = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                json_body = value.lower().startswith(b"application/json")
            elif name == b"accept" and not _plain_json(value.lower()):
                await self.app(scope, receive, send)  # negotiated by Strawberry's view (406, graphql-response+json)
                return
        request: dict[str, Any] | None
        if method == "GET":
            request = _from_query_string(scope.get("query_string", b""))
        else:
            body = await read_body(receive)
            receive = replaying(body, receive)
            request = _from_body(body) if json_body else None
        answer = None
        if request is not None:
            context = await self.context_factory(Request(scope, receive))
            answer = await self.executor.execute(request["query"], request["variables"],
                                                 request["operationName"], context)
        if answer is None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]})
        await send({"type": "http.response.body", "body": answer})


def _plain_json(accept: bytes) -> bool:
    """An Accept this layer answers as Strawberry would: plain `application/json` (or anything)."""
    if any(kind in accept for kind in _STREAMING) or b"graphql-response+json" in accept:
        return False
    return not accept.strip() or b"application/json" in accept or b"*/*" in accept


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of decoded JSON, counted up to `limit`."""
    if limit <= 0 or not isinstance(value, dict | list):
        return 0
    items = value.values() if isinstance(value, dict) else value
    return 1 + max((_depth(item, limit - 1) for item in items), default=0)


def _request(query: Any, variables: Any, operation_name: Any, extensions: Any = None) -> dict[str, Any] | None:
    if extensions is not None and not isinstance(extensions, dict):
        return None  # Strawberry's view refuses extensions that are not an object (400)
    if variables is not None and _depth(variables, MAX_VARIABLE_DEPTH + 1) > MAX_VARIABLE_DEPTH:
        return None  # Strawberry's view decides what deeply nested input gets (a 400)
    if not isinstance(query, str) or not (variables is None or isinstance(variables, dict)) or \
            not (operation_name is None or isinstance(operation_name, str)):
        return None
    return {"query": query, "variables": variables, "operationName": operation_name or None}


def _from_body(body: bytes) -> dict[str, Any] | None:
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(decoded, dict):  # a batch (a list) or nonsense: Strawberry answers
        return None
    return _request(decoded.get("query"), decoded.get("variables"), decoded.get("operationName"),
                    decoded.get("extensions"))


def _from_query_string(query_string: bytes) -> dict[str, Any] | None:
    params = parse_qs(query_string.decode("latin-1"))
    if len(params.get("query", [])) != 1:
        return None
    variables: Any = None
    if "variables" in params:
        try:
            variables = orjson.loads(params["variables"][0])
        except orjson.JSONDecodeError:
            return None
    extensions: Any = None
    if "extensions" in params:
        try:
            extensions = orjson.loads(params["extensions"][0])
        except orjson.JSONDecodeError:
            return None
    names = params.get("operationName")
    return _request(params["query"][0], variables, names[0] if names else None, extensions)
