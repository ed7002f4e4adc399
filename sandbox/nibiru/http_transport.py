"""GraphQL over HTTP on /query, with gqlgen's transports (POST JSON, GET, OPTIONS).

- POST needs `Content-Type: application/json`; anything else: 400 "transport not supported".
  A body that is not a JSON object of the right shape: 400 "json request body could not be
  decoded: ... body:<body>".
- GET takes `query`, `operationName`, `variables` (JSON); bad variables: 400 "variables could
  not be decoded"; only query operations: anything else is 406.
- OPTIONS: 200 with `Allow: OPTIONS, GET, POST`; HEAD: 405.
- A subscription sent over POST waits for its first event and answers with it, as gqlgen's
  POST transport does (it reads the response handler once).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphql import GraphQLSchema, OperationType
from starlette.requests import Request
from starlette.responses import Response

from sandbox.nibiru import engine, gojson
from sandbox.nibiru.resolvers import SaiEnv

Wire = dict[str, Any]


def _json(body: Wire, status: int = 200) -> Response:
    return Response(gojson.dumpb(body), status_code=status, media_type="application/json")


def _error(message: str, status: int) -> Response:
    return _json({"errors": [{"message": message}], "data": None}, status)


def _params_from_body(raw: bytes) -> tuple[str | None, str | None, dict[str, Any] | None]:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("cannot unmarshal non-object into Go value of type graphql.RawParams")
    query, name, variables = data.get("query"), data.get("operationName"), data.get("variables")
    if query is not None and not isinstance(query, str):
        raise ValueError("cannot unmarshal into Go struct field RawParams.query of type string")
    if name is not None and not isinstance(name, str):
        raise ValueError("cannot unmarshal into Go struct field RawParams.operationName of type string")
    if variables is not None and not isinstance(variables, dict):
        raise ValueError("cannot unmarshal into Go struct field RawParams.variables of type map[string]interface {}")
    return query, name, variables


def make_handler(schema: GraphQLSchema, context: Callable[[], SaiEnv]) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Response:
        method = request.method
        if method == "OPTIONS":
            return Response(status_code=200, headers={"Allow": "OPTIONS, GET, POST"})
        if method == "HEAD":
            return Response(status_code=405)
        if method == "GET":
            params = request.query_params
            variables: dict[str, Any] | None = None
            if params.get("variables"):
                try:
                    variables = json.loads(params["variables"])
                except ValueError:
                    variables = None
                if not isinstance(variables, dict):
                    return _error("variables could not be decoded", 400)
            query, name = params.get("query"), params.get("operationName")
        elif method == "POST":
            media = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media != "application/json":
                return _error("transport not supported", 400)
            raw = await request.body()
            try:
                query, name, variables = _params_from_body(raw)
            except ValueError as exc:
                text = raw.decode("utf-8", "replace")
                return _error(f"json request body could not be decoded: {exc} body:{text}", 400)
        else:
            return _error("transport not supported", 400)
        try:
            op = engine.prepare(schema, query, name, variables)
        except engine.RequestError as exc:
            return _json(exc.body(), exc.status)
        if method == "GET" and op.kind != OperationType.QUERY:
            return _error("GET requests only allow query operations", 406)
        if op.kind == OperationType.SUBSCRIPTION:
            return _json(await _first_event(schema, op, context(), request))
        return _json(engine.execute_query(schema, op, context()))

    return handle


async def _first_event(schema: GraphQLSchema, op: engine.Operation, env: SaiEnv, request: Request) -> Wire:
    try:
        stream = await engine.open_stream(schema, op, env)
        if isinstance(stream, dict):
            return stream
        return await _wait_first(stream, request)
    finally:
        env.close()


async def _wait_first(stream: AsyncIterator[Wire], request: Request) -> Wire:
    first = asyncio.ensure_future(_next(stream))
    try:
        while not first.done():
            # Stop waiting (and drop the market listener) once the client has gone away.
            await asyncio.wait([first], timeout=0.5)
            if not first.done() and await request.is_disconnected():
                first.cancel()
                return {"data": None}
        return first.result()
    finally:
        if not first.done():
            first.cancel()
        # The generator must be idle before it can be closed.
        await asyncio.gather(first, return_exceptions=True)
        await stream.aclose()  # type: ignore[attr-defined]


async def _next(stream: AsyncIterator[Wire]) -> Wire:
    return await stream.__anext__()
