"""An execution result as the JSON text of a `next` payload, serialized once per event.

Errors leave exactly as they do over HTTP (extensions/errors.py: a code on every error, nothing
internal); Strawberry's extension hooks do not map the errors of each streamed result, so they
are mapped here.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError

from gateway.api.extensions.errors import map_error
from gateway.errors import GatewayError


def format_errors(errors: list[GraphQLError]) -> list[dict[str, Any]]:
    return [dict(map_error(e).formatted) for e in errors]


def error_dicts(error: GatewayError) -> list[dict[str, Any]]:
    return [{"message": error.message, "extensions": error.extensions()}]


def render_payload(data: Any, errors: list[GraphQLError] | None) -> str:
    body: dict[str, Any] = {"data": data}
    if errors:
        body["errors"] = format_errors(errors)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def original(error: GraphQLError) -> BaseException | None:
    """The exception behind a GraphQL error, unwrapping graphql-core's located errors."""
    inner: BaseException | None = error.original_error
    while isinstance(inner, GraphQLError) and inner.original_error is not None:
        inner = inner.original_error
    return inner
