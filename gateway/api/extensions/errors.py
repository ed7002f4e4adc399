"""Every error leaves with `extensions.code`; unexpected ones leave with nothing internal.

- `GatewayError`s carry their code (and `source`, `retryAfter`) as they are.
- Parse and validation errors get GRAPHQL_PARSE_FAILED / GRAPHQL_VALIDATION_FAILED, and a
  variable that does not coerce gets BAD_USER_INPUT: the caller can fix all of these.
- Anything else is a bug: logged here with its traceback, once per distinct cause (exception type
  and the line that raised it) per minute, however many aliases hit it; answered as
  "Internal server error".
- Partial errors (one venue of a merged list failed) are appended with their field path.
- Every error carries the request's id (`extensions.requestId`, also in `X-Request-Id` and on the
  request's log lines), so a caller's report leads straight to the gateway's logs.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.api.context import GatewayContext
from gateway.errors import GatewayError
from gateway.observe.request import error_extensions

log = logging.getLogger("gateway.errors")
LOG_INTERVAL = 60.0  # seconds between two log lines of the same cause
_CAUSES_REMEMBERED = 1024


class CauseThrottle:
    """Says whether an unexpected error's cause was already logged within the interval."""

    def __init__(self, interval: float = LOG_INTERVAL) -> None:
        self.interval = interval
        self._last: dict[tuple[str, str, int], float] = {}
        self.suppressed = 0

    @staticmethod
    def cause(error: BaseException) -> tuple[str, str, int]:
        frames = traceback.extract_tb(error.__traceback__)
        where = frames[-1] if frames else None
        return type(error).__qualname__, where.filename if where else "", (where.lineno or 0) if where else 0

    def first(self, error: BaseException, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        key = self.cause(error)
        last = self._last.get(key)
        if last is not None and now - last < self.interval:
            self.suppressed += 1
            return False
        if len(self._last) >= _CAUSES_REMEMBERED:
            self._last.clear()
        self._last[key] = now
        return True


throttle = CauseThrottle()


def map_error(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if isinstance(original, GatewayError):
        return GraphQLError(original.message, error.nodes, error.source, error.positions, error.path,
                            extensions=original.extensions())
    if original is None:
        if error.extensions and "code" in error.extensions:
            return error
        message = error.message
        if message.startswith("Syntax Error"):
            code = "GRAPHQL_PARSE_FAILED"
        elif message.startswith("Variable '$"):
            code = "BAD_USER_INPUT"
        else:
            code = "GRAPHQL_VALIDATION_FAILED"
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path,
                            extensions={**(error.extensions or {}), "code": code})
    if isinstance(original, GraphQLError):  # raised by graphql-core itself during coercion
        return GraphQLError(error.message, error.nodes, error.source, error.positions, error.path,
                            extensions={"code": "BAD_USER_INPUT"})
    if throttle.first(original):
        log.error("unexpected error at %s (logged once per cause per minute)", error.path, exc_info=original)
    return GraphQLError("Internal server error", error.nodes, None, None, error.path,
                        extensions={"code": "INTERNAL_SERVER_ERROR"})


def mapped_errors(errors: list[GraphQLError] | None, context: object) -> list[GraphQLError] | None:
    """An operation's errors as they leave: each mapped, then the partial errors of merged lists.

    Shared by this extension and the compiled execution path (gateway/compiled), so both answer
    the same errors in the same order, each with the request's id."""
    mapped = [map_error(e) for e in (errors or [])]
    if isinstance(context, GatewayContext) and context.partial_errors:
        for partial in context.partial_errors:
            mapped.append(GraphQLError(partial.error.message, path=partial.path,
                                       extensions=partial.error.extensions()))
        context.partial_errors.clear()
    for error in mapped:  # the request's id on each (gateway/observe), as on every error answered
        error.extensions = error_extensions(dict(error.extensions or {}))
    return mapped or None


class ErrorMapping(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None:
            return
        result.errors = mapped_errors(result.errors, self.execution_context.context)
