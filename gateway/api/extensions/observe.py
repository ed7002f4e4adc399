"""Tells the request's record (gateway/observe) what ran, and traces the execution.

The access line and the request-duration metric are written outside Strawberry, where the
operation is unknown: this extension notes the operation's name and type on the request's record
(whether its result carried errors is noted where errors leave: `errors.mapped_errors`). Queries
and mutations execute inside a span named like the operation (`query Leaderboard`), under which
loader batches and upstream calls nest; a subscription's execution is the hub's, event by event,
and gets no span of its own.

The compiled execution path (gateway/api/compiled) runs no extension: it calls `note` and
`execution_span` itself, so both paths log, count and trace an operation alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from opentelemetry.trace import Span
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.observe import request as request_record
from gateway.observe import tracing


def note(name: str | None, kind: OperationType) -> None:
    """The operation's name and type on the request's record."""
    record = request_record.current()
    if record is not None:
        record.operation, record.operation_type = name, kind.value


@contextlib.contextmanager
def execution_span(name: str | None, kind: OperationType) -> Iterator[Span]:
    attributes = {"graphql.operation.type": kind.value, **({"graphql.operation.name": name} if name else {})}
    with tracing.span(f"{kind.value} {name}" if name else kind.value, attributes=attributes) as span:
        yield span


def result_errors(span: Span, errors: object) -> None:
    """Mark the execution's span failed when its result carries errors."""
    if errors:
        tracing.mark_error(span, "the result carries errors")


class ObserveOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        record = request_record.current()
        if record is not None and record.operation is None:  # refused before it executed: still named
            record.operation = self.execution_context.operation_name

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        kind = context.operation_type
        note(context.operation_name, kind)
        if kind is OperationType.SUBSCRIPTION:
            yield
            return
        with execution_span(context.operation_name, kind) as span:
            yield
            result = context.result
            result_errors(span, getattr(result, "errors", None) if result is not None else None)
