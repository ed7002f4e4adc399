"""Strawberry's ASGI GraphQL app, answering GraphQL over HTTP as the spec asks.

- The response media type is negotiated per request (negotiation.py): 406 when the client
  accepts neither JSON type; request errors are 400 with `application/graphql-response+json`.
- A body that is not UTF-8, not JSON, not an object, or nested too deep is a 400 with a JSON
  error, not a 500 (Strawberry calls `.get` on whatever the JSON was).
- Request-level refusals (bad body, GET of a mutation, a subscription) are JSON errors with a
  code, in the negotiated media type.
- Subscriptions are not served over HTTP: they are refused with 400 and told to use the
  WebSocket endpoint at the same path (graphql-transport-ws or graphql-ws).
"""

from __future__ import annotations

import contextvars
import json
from typing import Any, Generic, TypeVar

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.http.json_body import BadBody, decode
from gateway.http.negotiation import JSON, negotiate, status_of
from gateway.observe.request import error_extensions

Context = TypeVar("Context")
_media: contextvars.ContextVar[str] = contextvars.ContextVar("graphql_http_media", default=JSON)
SUBSCRIPTION_OVER_HTTP = ("Subscriptions are served over WebSocket at this path (graphql-transport-ws or "
                          "graphql-ws), not over HTTP")


class GraphQLOverHTTP(GraphQL[Context, None], Generic[Context]):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        accept = next((v.decode("latin-1") for n, v in scope["headers"] if n == b"accept"), None)
        media = negotiate(accept)
        request = Request(scope=scope, receive=receive)
        if media is None and not _wants_ide(request):
            response: Response = error_response(406, "Accept application/graphql-response+json or "
                                                "application/json", JSON, "NOT_ACCEPTABLE")
            await response(scope, receive, send)
            return
        token = _media.set(media or JSON)
        try:
            try:
                response = await self.run(request)
            except HTTPException as e:
                response = error_response(e.status_code, e.reason, media or JSON, "BAD_REQUEST")
        finally:
            _media.reset(token)
        await response(scope, receive, send)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return decode(data)
        except BadBody as exc:
            raise HTTPException(400, str(exc)) from exc

    async def execute_single(self, request: Any, request_adapter: Any, sub_response: Any, context: Any,
                             root_value: Any, request_data: Any) -> Any:
        """Strawberry's, with subscriptions refused over HTTP (it would run them as queries)."""
        method = request_adapter.method
        allowed = {OperationType.QUERY} if method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        try:
            return await self.schema.execute(
                request_data.query, root_value=root_value, variable_values=request_data.variables,
                context_value=context, operation_name=request_data.operation_name,
                allowed_operation_types=allowed, operation_extensions=request_data.extensions)
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(400, SUBSCRIPTION_OVER_HTTP) from exc
            raise HTTPException(405, "Only queries can be sent with GET; use POST") from exc
        except CannotGetOperationTypeError as exc:
            raise HTTPException(400, exc.as_http_error_reason()) from exc
        except MissingQueryError as exc:
            raise HTTPException(400, "No GraphQL query found in the request") from exc

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
                        sub_response: Response) -> Response:
        media = _media.get()
        status = 200
        if isinstance(response_data, dict):
            status = status_of(dict(response_data), media)
            if status != 200:
                response_data = {k: v for k, v in response_data.items() if k != "data"}  # type: ignore[assignment]
        response = Response(self.encode_json(response_data), status_code=status, media_type=media)
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        if sub_response.status_code:
            response.status_code = sub_response.status_code
        return response


def _wants_ide(request: Request) -> bool:
    return request.method == "GET" and "query" not in request.query_params


def error_response(status: int, message: str, media: str, code: str) -> Response:
    body = json.dumps({"errors": [{"message": message, "extensions": error_extensions({"code": code})}]})
    return Response(body, status_code=status, media_type=media)
